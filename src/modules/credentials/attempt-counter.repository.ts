import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import './credentials.tables';

/** A counter after an increment: how many attempts its window holds, and when the window ends (ms). */
export interface CounterState {
  readonly count: number;
  readonly windowEndsAt: number;
}

/** Fixed-window attempt counters. Every change is one statement, so concurrent callers never lose a count. */
export class AttemptCounterRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Adds one attempt and returns the new state, in one atomic upsert: a counter whose
   * window has ended starts again at 1. Both sides of the CASE read the row as it was.
   */
  async increment(key: string, now: number, windowMs: number): Promise<CounterState> {
    const row = await this.db
      .insertInto('attempt_counters')
      .values({ key, count: 1, window_ends_at: now + windowMs })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => {
          const ended = eb('attempt_counters.window_ends_at', '<=', now);
          return {
            count: eb
              .case()
              .when(ended)
              .then(1)
              .else(eb('attempt_counters.count', '+', 1))
              .end(),
            window_ends_at: eb
              .case()
              .when(ended)
              .then(eb.ref('excluded.window_ends_at'))
              .else(eb.ref('attempt_counters.window_ends_at'))
              .end(),
          };
        }),
      )
      .returning(['count', 'window_ends_at'])
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), windowEndsAt: Number(row.window_ends_at) };
  }

  /** Takes one attempt back, only from the window it was counted in. */
  async decrement(key: string, windowEndsAt: number): Promise<void> {
    await this.db
      .updateTable('attempt_counters')
      .set((eb) => ({ count: eb('count', '-', 1) }))
      .where('key', '=', key)
      .where('window_ends_at', '=', windowEndsAt)
      .where('count', '>', 0)
      .execute();
    // A counter back at zero counts nothing: gone at once, so attempts given back (refused,
    // or the server was busy) leave no row behind. One that a concurrent attempt has
    // raised again in between is kept by the condition.
    await this.db
      .deleteFrom('attempt_counters')
      .where('key', '=', key)
      .where('window_ends_at', '=', windowEndsAt)
      .where('count', '=', 0)
      .execute();
  }

  /** Deletes counters whose window ended at or before `now`; returns how many went. */
  async purgeEnded(now: number): Promise<number> {
    const result = await this.db.deleteFrom('attempt_counters').where('window_ends_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
