import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RevocationStats } from '../auth/revocation/revocations';

/**
 * Live state the gauges read at scrape time. Each part is optional: the CLI and some
 * tests build an app without one or another.
 */
export interface MetricSources {
  readonly hashing?: () => { readonly running: number; readonly queued: number };
  readonly revocations?: () => RevocationStats;
  readonly database?: () => { readonly reachable: boolean; readonly failures: number };
}

/** What a request ended as. Every label value comes from a fixed list: never a name, id, address or token. */
export type OperationType = 'query' | 'mutation' | 'subscription' | 'none';
export type AuthenticationOutcome = 'accepted' | 'refused' | 'unavailable';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One registry per app (tests run many apps in one process; the global default registry
 * would mix them and refuse a second registration). Counters are cheap and always kept;
 * process metrics (and the event-loop monitor they start) only once served.
 */
export class Metrics {
  readonly registry = new Registry();
  private sources: MetricSources = {};
  private processMetrics = false;

  /** Every HTTP request, probes included, by route (a fixed list), method and status. */
  readonly httpRequests = new Counter({
    name: 'tollgate_http_requests_total',
    help: 'HTTP requests answered, by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  /** GraphQL operations that reached Apollo's pipeline; `_count` is their number. */
  readonly graphqlDuration = new Histogram({
    name: 'tollgate_graphql_request_duration_seconds',
    help: 'GraphQL requests by operation type and outcome ("ok" or the first error code), from parsing to response.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly authentications = new Counter({
    name: 'tollgate_authentications_total',
    help: 'Bearer tokens checked, by outcome and reason (TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED, TOKEN_STALE).',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly logins = new Counter({
    name: 'tollgate_logins_total',
    help: 'login mutations, by result ("success" or the error reason or code).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly refreshes = new Counter({
    name: 'tollgate_refreshes_total',
    help: 'refresh mutations, by result ("success" or the error reason or code).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /** GraphQL-over-WebSocket connections open now (src/subscriptions/). */
  readonly websocketConnections = new Gauge({
    name: 'tollgate_websocket_connections',
    help: 'GraphQL-over-WebSocket connections open now.',
    registers: [this.registry],
  });

  readonly websocketCloses = new Counter({
    name: 'tollgate_websocket_closes_total',
    help: 'GraphQL-over-WebSocket connections closed, by close code (4403: access ended; 4401: refused token; "other" for codes outside the documented list).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor() {
    // The collect callbacks get the metric as `this`; the sources are read through this arrow.
    const read = (): MetricSources => this.sources;
    new Gauge({
      name: 'tollgate_password_hashes',
      help: 'argon2 hashes running and queued for a slot.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const load = read().hashing?.();
        if (!load) return;
        this.set({ state: 'running' }, load.running);
        this.set({ state: 'queued' }, load.queued);
      },
    });
    new Gauge({
      name: 'tollgate_revocation_list_entries',
      help: 'Ended sessions and changed role versions held in memory.',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        const stats = read().revocations?.();
        if (!stats) return;
        this.set({ kind: 'session' }, stats.sessions);
        this.set({ kind: 'user' }, stats.users);
      },
    });
    new Gauge({
      name: 'tollgate_revocation_in_sync',
      help: '1 while the revocation list is known complete; 0 while every token is checked in the database.',
      registers: [this.registry],
      collect() {
        const stats = read().revocations?.();
        if (stats) this.set(stats.inSync ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tollgate_revocation_reload_age_seconds',
      help: 'Seconds since the last successful reload of the revocation list from the database began.',
      registers: [this.registry],
      collect() {
        const age = read().revocations?.().reloadAgeSeconds;
        if (age !== undefined && age !== null) this.set(age);
      },
    });
    // Counted by their owners as plain numbers; copied in at scrape time.
    new Counter({
      name: 'tollgate_revocation_publish_failures_total',
      help: 'Revocations that could not be published to Redis (peers learn them at their next reload).',
      registers: [this.registry],
      collect() {
        const stats = read().revocations?.();
        if (!stats) return;
        this.reset();
        this.inc(stats.publishFailures);
      },
    });
    new Counter({
      name: 'tollgate_revocation_database_checks_total',
      help: 'Tokens checked in the database because the revocation list could not be trusted, by result.',
      labelNames: ['result'] as const,
      registers: [this.registry],
      collect() {
        const stats = read().revocations?.();
        if (!stats) return;
        this.reset();
        for (const [result, count] of Object.entries(stats.databaseChecks)) this.inc({ result }, count);
      },
    });
    new Gauge({
      name: 'tollgate_database_reachable',
      help: '1 when the last use of the database succeeded, 0 after a connection failure.',
      registers: [this.registry],
      collect() {
        const database = read().database?.();
        if (database) this.set(database.reachable ? 1 : 0);
      },
    });
    new Counter({
      name: 'tollgate_database_unavailable_total',
      help: 'Database uses that failed because no connection could be made or kept (answered 503).',
      registers: [this.registry],
      collect() {
        const database = read().database?.();
        if (!database) return;
        this.reset();
        this.inc(database.failures);
      },
    });
  }

  /** Points the gauges at the live services. */
  watch(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /**
   * prom-client's process metrics: CPU, memory, handles, GC, and event-loop lag
   * (`nodejs_eventloop_lag_seconds` and its percentiles). Started once, when served: the
   * event-loop monitor and GC observer it starts are never stopped.
   */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }
}
