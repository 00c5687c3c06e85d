import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REDIS_AVAILABILITY_VARIABLE = 'TOLLGATE_TEST_REDIS';

export function redisAvailable(): boolean {
  return process.env[REDIS_AVAILABILITY_VARIABLE] === 'available';
}

export async function probeRedis(): Promise<string | null> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    client.disconnect();
  }
}

/** A key prefix of a test's own, so parallel suites never hear each other's messages. */
export function uniqueRedisPrefix(): string {
  return `tollgate-test-${randomBytes(6).toString('hex')}:`;
}
