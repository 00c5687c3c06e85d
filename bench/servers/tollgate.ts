import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { createApp } from '../../src/app';
import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import * as enforcement from '../../src/graphql/enforce-policies';
import { AUDIENCE, BENCH_PASSWORD, BENCH_SECRET, HOST, ISSUER, announceReady } from '../shared';

/**
 * The real Tollgate app, seeded with an ADMIN, a USER and 120 more users, plus a
 * bench-only stats route (event-loop delay, memory). BENCH_AUTHZ=off builds the
 * schema without the auth checker, to measure what field-level authorization costs.
 */
/**
 * Bench-only, in this process only: replaces the policy enforcement step of the
 * schema build with a no-op, so the same server answers with no authorization
 * check at all. Nothing in src/ or in configuration can do this.
 */
function forgetAuthorization(): void {
  (enforcement as { enforcePolicies: (schema: unknown) => void }).enforcePolicies = () => undefined;
}

/** CPU profile of the serving phase only (after seeding), written to `file` on SIGTERM; open it in Chrome DevTools. */
async function startProfiling(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<{ profile?: object }>((resolve, reject) =>
      session.post(method, (error, result) =>
        error ? reject(error) : resolve((result ?? {}) as { profile?: object }),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = await post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
  };
}

async function main(): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'production',
    // The benchmark sends no mail: production needs SMTP_URL unless the flows that send mail are off.
    EMAIL_VERIFICATION: 'false',
    PASSWORD_RESET: 'false',
    HOST,
    PORT: '0',
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    DATA_DIR: process.env.BENCH_DATA_DIR,
    JWT_SECRET: BENCH_SECRET,
    // Production requires its own secret for refresh-token rotation and the other derived keys.
    REFRESH_TOKEN_SECRET: `${BENCH_SECRET}-refresh`,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ACCESS_TOKEN_TTL: '1h',
    // One client address logs in many chains of one user at once: every attempt in flight is
    // counted before its hash, so the default brakes (10, 100) would refuse most of the storm.
    LOGIN_MAX_FAILURES_PER_EMAIL_IP: '10000',
    LOGIN_MAX_FAILURES_PER_IP: '1000000',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
    // The refresh step runs hundreds of refreshes a second from this one address (the default allows 600 a minute).
    REFRESH_MAX_PER_IP: '100000000',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  });
  const logger = pino({ level: config.logLevel }, pino.destination({ dest: '/dev/null', sync: false }));
  if (process.env.BENCH_AUTHZ === 'off') forgetAuthorization();
  const app = await createApp(config, { logger });

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  app.http.fastify.get('/__bench/stats', async () => {
    const stats = {
      eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      eventLoopDelayMaxMs: delay.max / 1e6,
      rssBytes: process.memoryUsage.rss(),
    };
    delay.reset();
    return stats;
  });

  const { users, sessions } = app.services;
  const client = { ip: HOST, userAgent: 'bench' };
  const admin = await users.register({ email: 'admin@bench.test', password: BENCH_PASSWORD, displayName: 'Admin' }, [
    Role.ADMIN,
  ]);
  const user = await users.register({ email: 'user@bench.test', password: BENCH_PASSWORD, displayName: 'Bench' });
  for (let i = 0; i < 120; i++) {
    await users.register({ email: `user${i}@bench.test`, password: BENCH_PASSWORD, displayName: `User ${i}` });
  }
  const adminSession = await sessions.open(admin, client);
  const userSession = await sessions.open(user, client);
  const stopProfiling = process.env.BENCH_PROFILE ? await startProfiling(process.env.BENCH_PROFILE) : null;
  const url = await app.listen();
  announceReady({
    port: Number(new URL(url).port),
    userId: user.id,
    userToken: userSession.accessToken,
    adminToken: adminSession.accessToken,
  });
  process.on(
    'SIGTERM',
    () => void (stopProfiling?.() ?? Promise.resolve()).then(() => app.close()).then(() => process.exit(0)),
  );
}

void main();
