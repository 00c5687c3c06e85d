/** What every benchmark server and driver agrees on. Loopback only: nothing here ever leaves 127.0.0.1. */
export const HOST = '127.0.0.1';
export const BENCH_SECRET = 'bench-only-secret-that-is-long-enough-for-hs256!';
export const ISSUER = 'tollgate';
export const AUDIENCE = 'tollgate-api';
export const BENCH_PASSWORD = 'bench password 123';

export const ME_QUERY = '{ me { id email roles } }';
export const USERS_QUERY =
  '{ users(first: 100) { edges { node { id displayName createdAt email roles lastLoginAt disabled } } } }';

/** A server tells the runner it is listening (and anything the runner needs) with one JSON line. */
export function announceReady(details: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ready: true, ...details })}\n`);
}
