import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisConfig } from '../../config';
import type { Logger } from '../../logger';
import type { AttemptStore, Counted, CounterSpec } from './attempt-store';

/**
 * rate-limiter-flexible's increment script, with the two changes our guarantees need.
 * ARGV: points (+1 adds an attempt, -1 takes one back), the window in seconds, the
 * limit. An attempt over the limit is answered without being stored: refused attempts
 * count nothing, with no refund that could race the window's end. A take-back never
 * opens a window and never goes below zero: the stock script would create a key at -1
 * when the refund of an attempt arrived just after its window expired, giving the next
 * window one attempt more per late refund.
 */
const COUNT_UNLESS_OVER = `
local points = tonumber(ARGV[1])
local current = tonumber(redis.call('get', KEYS[1]))
if points < 0 then
  if current == nil then return {0, 0} end
  return {redis.call('decrby', KEYS[1], math.min(-points, current)), redis.call('pttl', KEYS[1])}
end
if current == nil then
  redis.call('set', KEYS[1], points, 'EX', ARGV[2])
  return {points, 1000 * tonumber(ARGV[2])}
end
local ttl = redis.call('pttl', KEYS[1])
if ttl < 0 then
  redis.call('expire', KEYS[1], ARGV[2])
  ttl = 1000 * tonumber(ARGV[2])
end
if current + points > tonumber(ARGV[3]) then return {current + points, ttl} end
return {redis.call('incrby', KEYS[1], points), ttl}
`;

/** A Redis that does not answer within this long is treated as down (the database takes over). */
const COMMAND_TIMEOUT_MS = 1000;

/**
 * Attempt counters in Redis, through rate-limiter-flexible: `consume` counts an attempt,
 * `reward` takes it back. Keys are `<REDIS_KEY_PREFIX>attempts:<keyed hash>`. Windows run
 * on Redis's clock (key expiry), not the app's: tests that move a window's edge use the
 * database store and an injected clock.
 */
export class RedisAttemptStore implements AttemptStore {
  private readonly client: Redis;
  private readonly limiters = new Map<string, RateLimiterRedis>();
  private readonly keyPrefix: string;

  constructor(config: RedisConfig, logger: Logger) {
    this.keyPrefix = `${config.keyPrefix}attempts`;
    this.client = new Redis(config.url, {
      lazyConnect: true,
      // Fail at once while disconnected, and soon when Redis hangs: the fallback answers instead of a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
    });
    let reported = false;
    this.client.on('error', (error: Error) => {
      if (!reported) logger.warn({ err: error }, 'attempt counters: redis connection error');
      reported = true;
    });
    this.client.on('ready', () => {
      reported = false;
    });
  }

  async add(counter: CounterSpec, key: string): Promise<Counted> {
    const limiter = this.limiterFor(counter);
    try {
      const res = await limiter.consume(key);
      return {
        count: res.consumedPoints,
        msLeft: res.msBeforeNext,
        takeBack: async () => void (await limiter.reward(key)),
      };
    } catch (rejection) {
      // Anything but a RateLimiterRes is Redis failing: the caller falls back.
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // Over the limit: the script stored nothing, so there is nothing to take back.
      return { count: rejection.consumedPoints, msLeft: rejection.msBeforeNext, takeBack: async () => undefined };
    }
  }

  /** Connects; a Redis that is down now is retried in the background while the database counts. */
  async start(): Promise<void> {
    await this.client.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private limiterFor(counter: CounterSpec): RateLimiterRedis {
    const id = `${counter.name}/${counter.max}/${counter.windowSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.client,
        keyPrefix: this.keyPrefix,
        points: counter.max,
        duration: counter.windowSeconds,
        customIncrTtlLuaScript: COUNT_UNLESS_OVER,
        // Refuse at once (and fall back) rather than wait for a reconnect.
        rejectIfRedisNotReady: true,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
