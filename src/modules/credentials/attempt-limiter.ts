import { keyedHash } from '../../auth/keyed-hash';
import type { AttemptLimit } from '../../config';
import { BusyError } from '../../errors/domain-errors';
import type { AttemptCounterRepository, CounterState } from './attempt-counter.repository';

/** A limit with a name (part of every key it counts under) and what a refused caller is told. */
export interface AttemptRule {
  readonly name: string;
  readonly limit: AttemptLimit;
  readonly refusal: string;
}

export interface AttemptClaim {
  readonly rule: AttemptRule;
  /** Whom the rule counts: an email and IP, an IP, a user id. Never stored as such. */
  readonly subject: string;
}

/** Attempts counted before the work; give them back when the attempt turned out not to count. */
export interface Reservation {
  /** Takes the attempts back (a successful login is not a failure). Idempotent. */
  refund(): Promise<void>;
}

/**
 * Brakes on guessing, decided before any argon2 work: every attempt is counted first
 * (reserve), atomically in the shared database, so parallel attempts, on one instance
 * or many, can never pass the limit together; an attempt that succeeds is given back
 * afterwards (settle). A check that read a count before a slow hash and wrote it after
 * let 25 concurrent guesses through a limit of 10.
 */
export class AttemptLimiter {
  constructor(
    private readonly counters: AttemptCounterRepository,
    /** HMAC key: counters are found by keyed hash, so the table holds no emails or IPs. */
    private readonly key: Buffer,
    private readonly now: () => number,
  ) {}

  /** Counts one attempt under every claim; throws BusyError (and counts nothing) when any is over its limit. */
  async reserve(claims: readonly AttemptClaim[]): Promise<Reservation> {
    const now = this.now();
    const counted: Array<{ key: string; state: CounterState }> = [];
    let refused: { rule: AttemptRule; state: CounterState } | null = null;
    for (const { rule, subject } of claims) {
      const key = this.keyOf(rule, subject);
      const state = await this.counters.increment(key, now, rule.limit.windowSeconds * 1000);
      counted.push({ key, state });
      if (state.count > rule.limit.max) {
        refused = { rule, state };
        break;
      }
    }
    const reservation = this.reservationOf(counted);
    if (refused) {
      // A refused attempt is no attempt: it leaves every counter as it found it.
      await reservation.refund();
      const retryAfter = Math.max(1, Math.ceil((refused.state.windowEndsAt - now) / 1000));
      throw new BusyError(retryAfter, refused.rule.refusal);
    }
    return reservation;
  }

  private reservationOf(counted: ReadonlyArray<{ key: string; state: CounterState }>): Reservation {
    let refunded = false;
    return {
      refund: async () => {
        if (refunded) return;
        refunded = true;
        for (const { key, state } of counted) await this.counters.decrement(key, state.windowEndsAt);
      },
    };
  }

  private keyOf(rule: AttemptRule, subject: string): string {
    return keyedHash(this.key, rule.name, subject);
  }
}
