import { startServer, type Server } from '../processes';
import { ME_BODY, bearer } from '../requests';

/** Every server the benchmark compares, listening on 127.0.0.1. */
export interface Servers {
  readonly tollgate: Server;
  readonly tollgateNoAuthz: Server;
  readonly raw: Server;
  readonly apollo: Server;
  readonly yoga: Server;
  /** The seeded USER's access token on `tollgate`, for the authenticated `me` traffic. */
  readonly userToken: string;
}

/** Starts the servers one after another; the Tollgate ones keep their SQLite files in `scratchDir`. */
export async function startServers(scratchDir: string): Promise<Servers> {
  const tollgate = await startServer('tollgate', 'tollgate', {
    BENCH_DATABASE_URL: `file:${scratchDir}/authz.db`,
    BENCH_DATA_DIR: scratchDir,
  });
  const tollgateNoAuthz = await startServer('tollgate (authorization off)', 'tollgate', {
    BENCH_DATABASE_URL: `file:${scratchDir}/noauthz.db`,
    BENCH_DATA_DIR: scratchDir,
    BENCH_AUTHZ: 'off',
  });
  // The raw node:http baseline answers every request with Tollgate's own answer to `me`, byte for byte.
  const sample = await fetch(tollgate.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(tollgate.info.userToken!) },
    body: ME_BODY,
  });
  const raw = await startServer('raw node:http', 'raw', { BENCH_BODY: await sample.text() });
  const apollo = await startServer('bare Apollo (standalone, no auth)', 'apollo-bare', {
    BENCH_USER_ID: tollgate.info.userId!,
  });
  const yoga = await startServer('Yoga + plugin-jwt', 'yoga-jwt');
  return { tollgate, tollgateNoAuthz, raw, apollo, yoga, userToken: tollgate.info.userToken as string };
}
