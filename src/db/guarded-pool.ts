import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { ServiceUnavailableError } from '../errors/domain-errors';
import type { Logger } from '../logger';

/** What a client is told to wait (Retry-After) while PostgreSQL cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Whether PostgreSQL answered the last time it was asked, for readiness and metrics. */
export interface Connectivity {
  readonly reachable: boolean;
  /** Requests refused because the database could not be reached, since start-up. */
  readonly failures: number;
}

// SQLSTATE classes and codes that mean "no usable connection", not "this statement is wrong":
// 08 connection exception, 57P01–57P03 the server is shutting down or starting, 53300 too many connections.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// node-postgres reports a lost or never-made connection with these messages and no code.
// ("Query read timeout" is query_timeout: the statement went unanswered, the connection is presumed dead.)
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Query read timeout)/;

/** True when the error says the database could not be reached, rather than that a statement failed. */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (UNAVAILABLE_MESSAGES.test(error.message)) return true;
  // Node reports a failed connection to every address of a host as one AggregateError.
  return error instanceof AggregateError && error.errors.some(isConnectionFailure);
}

/**
 * The pg pool as Kysely sees it, failing closed: a connection that cannot be made, or
 * that breaks under a query, becomes a ServiceUnavailableError (HTTP 503 at the edge,
 * with no host, port or driver text), and a broken connection is destroyed on release
 * instead of going back to the pool, so the next request gets a fresh one once
 * PostgreSQL is back. Nothing here retries: the pool reconnects on demand.
 */
export function guardPool(pool: pg.Pool, logger: Logger): PostgresPool & { readonly connectivity: Connectivity } {
  let reachable = true;
  let failures = 0;
  const wrappers = new WeakMap<pg.PoolClient, GuardedClient>();

  const failed = (error: unknown): ServiceUnavailableError => {
    failures += 1;
    if (reachable) {
      reachable = false;
      // Once per outage: every request that needs the database fails while it lasts.
      logger.warn({ err: error }, 'PostgreSQL is unreachable; requests that need it answer 503 until it returns');
    }
    return new ServiceUnavailableError(DATABASE_RETRY_AFTER_SECONDS, { cause: error });
  };
  const succeeded = () => {
    if (reachable) return;
    reachable = true;
    logger.info('PostgreSQL is reachable again');
  };

  // An idle client whose connection dies (PostgreSQL restarted) is removed by the pool, which
  // then emits 'error': unheard, that event would end the process.
  pool.on('error', (error) => {
    logger.warn({ err: error }, 'an idle PostgreSQL connection was lost; the pool drops it');
  });

  return {
    get connectivity() {
      return { reachable, failures };
    },
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        // Whatever stops a connection being made (refused, timed out, authentication) leaves nothing to serve with.
        throw failed(error);
      }
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = new GuardedClient(client, failed, succeeded);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

class GuardedClient implements PostgresPoolClient {
  /** Set once a query found the connection broken: release destroys it. */
  private broken: Error | null = null;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly failed: (error: unknown) => ServiceUnavailableError,
    private readonly succeeded: () => void,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Cast: pg's overloads take a Submittable here; Kysely's cursor is one.
    if (typeof sqlOrCursor !== 'string') return this.client.query(sqlOrCursor as never) as PostgresCursor<R>;
    // Nothing more goes over a connection found broken (a transaction's ROLLBACK would wait on it too).
    if (this.broken) return Promise.reject(this.failed(this.broken));
    return this.client.query(sqlOrCursor, parameters as unknown[]).then(
      (result) => {
        this.succeeded();
        return result as unknown as PostgresQueryResult<R>;
      },
      (error: unknown) => {
        if (!isConnectionFailure(error)) throw error;
        this.broken = error as Error;
        throw this.failed(error);
      },
    );
  }

  release(destroy?: boolean): void {
    // pg-pool destroys a client released with an error (or `true`) instead of keeping it.
    this.client.release(this.broken ?? destroy);
  }
}
