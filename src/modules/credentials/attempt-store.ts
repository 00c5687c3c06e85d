import type { Logger } from '../../logger';
import type { AttemptCounterRepository } from './attempt-counter.repository';

/** One kind of counter: fixed windows of `windowSeconds`, refusing past `max` attempts. */
export interface CounterSpec {
  readonly name: string;
  readonly max: number;
  readonly windowSeconds: number;
}

/** A counter after one attempt was added to it. */
export interface Counted {
  /** Attempts in the window with this one; above the spec's `max`, this one is refused. */
  readonly count: number;
  /** Milliseconds until the window ends. */
  readonly msLeft: number;
  /** Takes this attempt back (a no-op when the store did not keep it). */
  takeBack(): Promise<void>;
}

/**
 * Where attempts are counted: the shared database, or Redis. Either way one attempt is
 * one atomic operation on the store every instance shares, so parallel attempts can
 * never pass a limit together, and keys are keyed hashes (no email or IP).
 */
export interface AttemptStore {
  add(counter: CounterSpec, key: string): Promise<Counted>;
  start?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Counters in the `attempt_counters` table, on the injected clock (what lets tests
 * move a window's edge). A take-back only reaches the window its attempt was counted in.
 */
export function databaseAttemptStore(counters: AttemptCounterRepository, now: () => number): AttemptStore {
  return {
    async add(counter, key) {
      const at = now();
      const state = await counters.increment(key, at, counter.windowSeconds * 1000);
      return {
        count: state.count,
        msLeft: state.windowEndsAt - at,
        takeBack: () => counters.decrement(key, state.windowEndsAt),
      };
    },
  };
}

/**
 * `primary` (Redis) while it answers, `fallback` (the database) when it does not:
 * never "allow everything". Each attempt is taken back from the store that counted it.
 * While Redis is down, the limits start again from what the database holds, so an
 * outage can give a subject one more window's budget, never an unlimited one.
 */
export function withFallback(primary: AttemptStore, fallback: AttemptStore, logger: Logger): AttemptStore {
  let degraded = false;
  return {
    async add(counter, key) {
      let counted: Counted;
      try {
        counted = await primary.add(counter, key);
      } catch (error) {
        if (!degraded) logger.warn({ err: error }, 'attempt counters: Redis is unavailable; counting in the database');
        degraded = true;
        return fallback.add(counter, key);
      }
      if (degraded) logger.info('attempt counters: counting in Redis again');
      degraded = false;
      return {
        ...counted,
        // A take-back Redis cannot take leaves the attempt counted: the caller has its answer already.
        takeBack: () =>
          counted.takeBack().catch((error: unknown) => {
            logger.warn({ err: error }, 'attempt counters: an attempt could not be taken back from Redis');
          }),
      };
    },
    async start() {
      await Promise.all([primary.start?.(), fallback.start?.()]);
    },
    async close() {
      await Promise.all([primary.close?.(), fallback.close?.()]);
    },
  };
}
