import { DEFAULT_MIGRATION_TABLE, sql, type Kysely } from 'kysely';
import { isConnectionFailure } from '../db/guarded-pool';
import { ServiceUnavailableError } from '../errors/domain-errors';

export type CheckResult = 'ok' | 'unreachable' | 'failing' | 'timeout' | 'pending' | 'unknown' | 'not configured';

/** What `/readyz` answers. Status words only: no host, port, version or error text for an unauthenticated caller. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: {
    readonly database: CheckResult;
    /** Every migration this build knows has been applied. */
    readonly migrations: CheckResult;
    readonly redis: CheckResult;
    /** The revocation list is known complete (otherwise every token is checked in the database). */
    readonly revocations: 'ok' | 'out of sync';
  };
}

export interface ReadinessDeps {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the migration table is read
  readonly db: Kysely<any>;
  readonly migrations: readonly string[];
  readonly revocations: { inSync(): boolean; busConnected(): boolean | null };
  /** A database that takes longer than this to answer counts as not ready. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * The readiness check: one small query (the applied migrations, which also proves the
 * database answers) and in-memory state for Redis and the revocation list (the bus's
 * own heartbeat keeps that current). Probes arriving together share one query.
 */
export function createReadinessCheck(deps: ReadinessDeps): () => Promise<ReadinessReport> {
  let inFlight: Promise<ReadinessReport> | null = null;
  const check = async (): Promise<ReadinessReport> => {
    const { database, migrations } = await checkDatabase(deps);
    const busConnected = deps.revocations.busConnected();
    const redis: CheckResult = busConnected === null ? 'not configured' : busConnected ? 'ok' : 'unreachable';
    const revocations = deps.revocations.inSync() ? 'ok' : 'out of sync';
    const ready = database === 'ok' && migrations === 'ok' && redis !== 'unreachable' && revocations === 'ok';
    return { ready, checks: { database, migrations, redis, revocations } };
  };
  return () => {
    inFlight ??= check().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}

async function checkDatabase(deps: ReadinessDeps): Promise<{ database: CheckResult; migrations: CheckResult }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  });
  try {
    const applied = await Promise.race([
      sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(deps.db),
      timeout,
    ]);
    if (applied === 'timeout') return { database: 'timeout', migrations: 'unknown' };
    const names = new Set(applied.rows.map((row) => row.name));
    return { database: 'ok', migrations: deps.migrations.every((name) => names.has(name)) ? 'ok' : 'pending' };
  } catch (error) {
    const unreachable = error instanceof ServiceUnavailableError || isConnectionFailure(error);
    return { database: unreachable ? 'unreachable' : 'failing', migrations: 'unknown' };
  } finally {
    clearTimeout(timer);
  }
}
