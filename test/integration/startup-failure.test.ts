import Redis from 'ioredis';
import { MODULES } from '../../src/modules';
import { defineModule } from '../../src/modules/module';
import { REDIS_URL, redisAvailable, uniqueRedisPrefix } from '../helpers/redis';
import { startTestServer } from '../helpers/test-server';

const canRun = redisAvailable();

/** Polls until `done` holds or `limitMs` passes; resolves to whether it held. */
async function eventually(limitMs: number, done: () => Promise<boolean>): Promise<boolean> {
  const startedAt = Date.now();
  for (;;) {
    if (await done()) return true;
    if (Date.now() - startedAt > limitMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A module that fails to start must not leave the infrastructure opened before it running:
// a Redis connection that reconnects forever keeps a failed CLI (or server) from exiting.
(canRun ? describe : describe.skip)('a module that fails to start', () => {
  const prefix = uniqueRedisPrefix();
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  const eventSubscribers = async () => {
    const [, count] = (await redis.pubsub('NUMSUB', `${prefix}events`)) as [string, number];
    return Number(count);
  };

  beforeAll(() => redis.connect());
  afterAll(() => redis.quit());

  it('closes the Redis event bus before the error reaches the caller', async () => {
    const failing = defineModule({
      name: 'fails-to-start',
      async start() {
        // Fail only once the event bus is listening on Redis, so that a leak would be seen.
        if (!(await eventually(5000, async () => (await eventSubscribers()) > 0))) {
          throw new Error('the event bus never subscribed (the test proves nothing)');
        }
        throw new Error('this module cannot start');
      },
    });
    await expect(
      startTestServer('sqlite', {
        modules: [...MODULES, failing],
        env: { REDIS_URL, REDIS_KEY_PREFIX: prefix },
      }),
    ).rejects.toThrow('this module cannot start');
    expect(await eventually(3000, async () => (await eventSubscribers()) === 0)).toBe(true);
  });
});

if (!canRun) {
  describe.skip('a module that fails to start (skipped: needs Redis)', () => {
    it('needs Redis', () => undefined);
  });
}
