import type { LoadResult } from '../drivers/load';
import { runDriver, startServer, stopServer, type Server } from '../processes';
import type { Scratch } from '../scratch';
import { BENCH_PASSWORD } from '../shared';
import type { BenchSettings } from '../settings';

/** Refresh throughput per database; `postgres` is null when PostgreSQL could not be reached. */
export interface RefreshResults {
  readonly sqlite: LoadResult;
  readonly postgres: LoadResult | null;
}

/** Refresh throughput on SQLite (the running `tollgate`) and, when reachable, on PostgreSQL. */
export async function runRefreshBench(
  tollgate: Server,
  scratch: Scratch,
  settings: BenchSettings,
): Promise<RefreshResults> {
  const spec = { email: 'user@bench.test', password: BENCH_PASSWORD, chains: 20, duration: settings.secondsPerRun };
  const refreshLoad = (url: string) => runDriver<LoadResult>('refresh-load', [JSON.stringify({ ...spec, url })]);
  const sqlite = await refreshLoad(tollgate.url);
  let postgres: LoadResult | null;
  try {
    const databaseUrl = await scratch.createPostgresDatabase();
    const onPostgres = await startServer('tollgate (PostgreSQL)', 'tollgate', {
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_DATA_DIR: scratch.dir,
    });
    postgres = await refreshLoad(onPostgres.url);
    await stopServer(onPostgres);
  } catch (error) {
    console.log(`  PostgreSQL refresh case skipped: ${(error as Error).message}`);
    postgres = null;
  }
  return { sqlite, postgres };
}
