import { performance } from 'node:perf_hooks';
import { ServiceUnavailableError } from '../../errors/domain-errors';
import type { Logger } from '../../logger';
import type { Viewer } from '../tokens';
import type { RevocationBus } from './revocation-bus';
import { RevocationList, type RevocationEvent, type RevocationVerdict } from './revocation-list';

/** How often the list is also refilled from the database, in case a bus message was lost. */
export const RELOAD_INTERVAL_MS = 30_000;
/**
 * After a failed reload the next try comes this soon, doubling up to RELOAD_RETRY_MAX_MS:
 * once the database is back, the list is in sync again within seconds.
 */
export const RELOAD_RETRY_MS = 1_000;
export const RELOAD_RETRY_MAX_MS = 5_000;
/**
 * A list whose last successful reload began longer ago than this may miss a revocation
 * whose publish failed (the revoking instance had lost Redis): from then on tokens are
 * checked in the database. One interval plus 10 s for the reload itself to run.
 */
export const MAX_RELOAD_AGE_MS = RELOAD_INTERVAL_MS + 10_000;
/** What a client is told to wait when a token cannot be checked at all. */
const CHECK_RETRY_AFTER_SECONDS = 5;

/** What a token checked in the database was found to be. */
export type DatabaseCheckResult = 'accepted' | 'TOKEN_REVOKED' | 'TOKEN_STALE' | 'unavailable';

/** The list's state, for metrics. */
export interface RevocationStats {
  readonly sessions: number;
  readonly users: number;
  /** False while tokens are checked in the database. */
  readonly inSync: boolean;
  /** Seconds since the start of the last successful reload from the database; null before the first. */
  readonly reloadAgeSeconds: number | null;
  readonly publishFailures: number;
  readonly databaseChecks: Readonly<Record<DatabaseCheckResult, number>>;
}

/** A session as the database has it now, for checking a token when the list is in doubt. */
export interface SessionState {
  readonly userId: string;
  /** Epoch milliseconds, as stored; null while the session is open. */
  readonly endedAtMs: number | null;
  readonly rolesVersion: number;
  readonly rolesChangedAtMs: number | null;
}

/** Where revocations are stored for good (the database): what a starting instance loads. */
export interface RevocationSource {
  /** Sessions ended after `since` (ms), with their stored end. */
  endedSessionsSince(since: number): Promise<ReadonlyArray<{ id: string; endedAtMs: number }>>;
  /** Users whose roles changed after `since` (ms). */
  roleChangesSince(
    since: number,
  ): Promise<ReadonlyArray<{ id: string; rolesVersion: number; rolesChangedAtMs: number }>>;
  /** One session and its user's roles version now; null when there is no such session. */
  sessionState(sessionId: string): Promise<SessionState | null>;
}

/**
 * Instant revocation without a query per request: the RevocationList answers,
 * the source fills it at start-up (and after a missed bus message), and the
 * bus keeps every instance's list the same.
 *
 * Never fails open: while the list cannot be known complete — the bus is down or silent,
 * it has not been reloaded since the bus came back, or no reload has succeeded for
 * MAX_RELOAD_AGE_MS — every token is checked against its session row instead, and a
 * token that cannot be checked (the database is down too) is refused as unavailable.
 */
export class Revocations {
  readonly list: RevocationList;
  private reloadTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failedReloads = 0;
  /** performance.now() at the start of the newest successful reload. */
  private reloadedAt: number | null = null;
  private inDoubt = false;
  private publishFailures = 0;
  private publishFailing = false;
  private readonly databaseChecks: Record<DatabaseCheckResult, number> = {
    accepted: 0,
    TOKEN_REVOKED: 0,
    TOKEN_STALE: 0,
    unavailable: 0,
  };
  private readonly monotonic: () => number;

  constructor(
    private readonly deps: {
      readonly source: RevocationSource;
      readonly bus: RevocationBus;
      readonly now: () => number;
      /**
       * Milliseconds after a revocation during which a token it revokes could still be
       * accepted (AccessTokens.maxAcceptanceMs): every entry lives exactly this long, on
       * every path (apply, sweep, start-up, reload).
       */
      readonly maxAcceptanceMs: number;
      readonly logger: Logger;
      /** Monotonic milliseconds for the sync bookkeeping (performance.now() unless a test injects one). */
      readonly monotonic?: () => number;
    },
  ) {
    this.list = new RevocationList(deps.now);
    this.monotonic = deps.monotonic ?? (() => performance.now());
  }

  async start(): Promise<void> {
    // Subscribe before loading: an event published between the two is then heard (and
    // applying it twice is harmless), where the other order would miss it until a reload.
    await this.deps.bus.start(
      (event) => this.list.apply(event),
      () => this.reload(),
    );
    await this.reload();
    // The bus is the fast path; this bounds how long a lost message (a publish that failed
    // while Redis was away) can go unnoticed by another instance.
    this.scheduleReload(RELOAD_INTERVAL_MS);
  }

  /** Loads every revocation that can still matter: those younger than maxAcceptanceMs. */
  async reload(): Promise<void> {
    const startedAt = this.monotonic();
    const since = this.deps.now() - this.deps.maxAcceptanceMs;
    for (const { id, endedAtMs } of await this.deps.source.endedSessionsSince(since)) {
      this.list.apply({ kind: 'session-ended', sessionId: id, until: this.until(endedAtMs) });
    }
    for (const { id, rolesVersion, rolesChangedAtMs } of await this.deps.source.roleChangesSince(since)) {
      this.list.apply({ kind: 'roles-changed', userId: id, rolesVersion, until: this.until(rolesChangedAtMs) });
    }
    // Everything committed before `startedAt` is now known; the bus covers what comes after.
    this.reloadedAt = Math.max(this.reloadedAt ?? startedAt, startedAt);
  }

  /** From memory only: what the list knows. Requests use verify(). */
  check(viewer: Viewer): RevocationVerdict {
    return this.list.check(viewer);
  }

  /**
   * The verdict on a request's token: from memory while the list is known complete,
   * otherwise from the database (a promise, rejected with ServiceUnavailableError when
   * the database cannot say either). `log` is the request's logger.
   */
  verify(viewer: Viewer, log: Logger = this.deps.logger): RevocationVerdict | Promise<RevocationVerdict> {
    const known = this.list.check(viewer);
    if (known !== null || this.inSync()) return known;
    return this.checkInDatabase(viewer, log);
  }

  /**
   * True when no revocation can be missing from the list: the bus has delivered every
   * event since it last (re)subscribed, a reload began after that, and one began
   * less than MAX_RELOAD_AGE_MS ago (for publishes that failed at a peer).
   */
  inSync(): boolean {
    const inSync = !this.deps.bus.shared || this.listComplete();
    if (inSync === this.inDoubt) this.noteSync(inSync);
    return inSync;
  }

  /** Whether the bus (Redis) is connected and answering; null when there is none (one instance). */
  busConnected(): boolean | null {
    return this.deps.bus.shared ? this.deps.bus.listeningSince() !== null : null;
  }

  stats(): RevocationStats {
    return {
      ...this.list.size,
      inSync: this.inSync(),
      reloadAgeSeconds: this.reloadedAt === null ? null : (this.monotonic() - this.reloadedAt) / 1000,
      publishFailures: this.publishFailures,
      databaseChecks: { ...this.databaseChecks },
    };
  }

  /** `endedAt` as stored: never earlier than the newest token the session issued. */
  async sessionsEnded(ended: readonly { id: string; endedAtMs: number }[]): Promise<void> {
    await Promise.all(
      ended.map(({ id, endedAtMs }) =>
        this.publish({ kind: 'session-ended', sessionId: id, until: this.until(this.announced(endedAtMs)) }),
      ),
    );
  }

  async rolesChanged(userId: string, rolesVersion: number, changedAtMs: number): Promise<void> {
    await this.publish({ kind: 'roles-changed', userId, rolesVersion, until: this.until(this.announced(changedAtMs)) });
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reloadTimer);
    return this.deps.bus.close();
  }

  private listComplete(): boolean {
    const listeningSince = this.deps.bus.listeningSince();
    const reloadedAt = this.reloadedAt;
    return (
      listeningSince !== null &&
      reloadedAt !== null &&
      reloadedAt >= listeningSince &&
      this.monotonic() - reloadedAt <= MAX_RELOAD_AGE_MS
    );
  }

  private noteSync(inSync: boolean): void {
    this.inDoubt = !inSync;
    if (inSync) this.deps.logger.info('the revocation list is in sync again; tokens are checked in memory');
    else this.deps.logger.warn('the revocation list may be incomplete; every token is checked in the database');
  }

  /** The session row decides; what it shows is remembered, so the next request is answered from memory. */
  private async checkInDatabase(viewer: Viewer, log: Logger): Promise<RevocationVerdict> {
    let state: SessionState | null;
    try {
      state = await this.deps.source.sessionState(viewer.sessionId);
    } catch (error) {
      this.databaseChecks.unavailable += 1;
      if (error instanceof ServiceUnavailableError) throw error;
      log.error({ err: error }, 'could not check a token in the database; refusing it');
      throw new ServiceUnavailableError(CHECK_RETRY_AFTER_SECONDS, { cause: error });
    }
    const verdict = this.judge(viewer, state);
    this.databaseChecks[verdict ?? 'accepted'] += 1;
    return verdict;
  }

  private judge(viewer: Viewer, state: SessionState | null): RevocationVerdict {
    // No row: purged long after its tokens expired, or another user's: nothing vouches for the token.
    if (state === null || state.userId !== viewer.id) return 'TOKEN_REVOKED';
    if (state.endedAtMs !== null) {
      this.list.apply({ kind: 'session-ended', sessionId: viewer.sessionId, until: this.until(state.endedAtMs) });
      return 'TOKEN_REVOKED';
    }
    if (state.rolesVersion > viewer.rolesVersion) {
      const changedAt = state.rolesChangedAtMs ?? this.deps.now();
      this.list.apply({
        kind: 'roles-changed',
        userId: viewer.id,
        rolesVersion: state.rolesVersion,
        until: this.until(changedAt),
      });
      return 'TOKEN_STALE';
    }
    return null;
  }

  /** Reloads start every RELOAD_INTERVAL_MS however long each takes; failures are retried sooner. */
  private scheduleReload(delayMs: number): void {
    if (this.closed) return;
    this.reloadTimer = setTimeout(() => {
      const startedAt = this.monotonic();
      this.reload().then(
        () => {
          if (this.failedReloads > 0) this.deps.logger.info('revocation reload succeeded again');
          this.failedReloads = 0;
          this.scheduleReload(Math.max(0, RELOAD_INTERVAL_MS - (this.monotonic() - startedAt)));
        },
        (error: unknown) => {
          // Once per outage, not at every retry.
          if (this.failedReloads === 0) this.deps.logger.error({ err: error }, 'revocation reload failed');
          this.failedReloads += 1;
          this.scheduleReload(Math.min(RELOAD_RETRY_MS * 2 ** (this.failedReloads - 1), RELOAD_RETRY_MAX_MS));
        },
      );
    }, delayMs);
    this.reloadTimer.unref();
  }

  /** When the entry for a revocation made at `at` may go. */
  private until(at: number): number {
    return at + this.deps.maxAcceptanceMs;
  }

  /**
   * Announcements come after the change has committed: counting from now as well covers
   * a token minted from a read made just before that commit. (From the database, the
   * stored time is all there is; INSTANCE_CLOCK_ALLOWANCE_SECONDS covers that gap.)
   */
  private announced(at: number): number {
    return Math.max(at, this.deps.now());
  }

  /**
   * The database already holds the fact and this instance already applied it; a failed
   * publish must not fail the logout. Other instances catch up at their next reload.
   * Logged once per outage (a fact about Redis, not about the request that noticed it);
   * every failure is counted (tollgate_revocation_publish_failures_total).
   */
  private async publish(event: RevocationEvent): Promise<void> {
    try {
      await this.deps.bus.publish(event);
      if (this.publishFailing) this.deps.logger.info('revocations are published to Redis again');
      this.publishFailing = false;
    } catch (error) {
      this.list.apply(event);
      this.publishFailures += 1;
      if (!this.publishFailing) {
        this.deps.logger.error(
          { err: error },
          'could not publish revocations; peers learn them at their next reload until Redis is back',
        );
      }
      this.publishFailing = true;
    }
  }
}
