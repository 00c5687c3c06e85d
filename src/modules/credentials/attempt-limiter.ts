import { keyedHash } from '../../auth/keyed-hash';
import type { AttemptLimit, PacedLimit } from '../../config';
import { BusyError } from '../../errors/domain-errors';
import type { AttemptStore, Counted, CounterSpec } from './attempt-store';

/** A limit with a name (part of every key it counts under) and what a refused caller is told. */
export interface AttemptRule {
  readonly name: string;
  /** A plain limit refuses past `max`; a paced one lets one attempt per `slowdownSeconds` through instead. */
  readonly limit: AttemptLimit | PacedLimit;
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
 * (reserve), atomically in the store all instances share, so parallel attempts, on one
 * instance or many, can never pass the limit together; an attempt that succeeds is
 * given back afterwards (settle). A check that read a count before a slow hash and
 * wrote it after let 25 concurrent guesses through a limit of 10.
 *
 * Claims are checked in order and the first refusal stops: a refused attempt leaves
 * every counter as it found it, and creates none past the rule that refused it.
 */
export class AttemptLimiter {
  constructor(
    private readonly store: AttemptStore,
    /** HMAC key: counters are found by keyed hash, so no store holds emails or IPs. */
    private readonly key: Buffer,
  ) {}

  /** Counts one attempt under every claim; throws BusyError (and counts nothing) when any refuses it. */
  async reserve(claims: readonly AttemptClaim[]): Promise<Reservation> {
    const held: Counted[] = [];
    const reservation = reservationOf(held);
    for (const { rule, subject } of claims) {
      const counted = await this.store.add(specOf(rule), this.keyOf(rule.name, subject));
      held.push(counted);
      if (counted.count <= rule.limit.max) continue;
      let refused = counted;
      if ('slowdownSeconds' in rule.limit) {
        // Past its failures, the subject is paced, not stopped: one attempt per slot goes through.
        const slot = await this.store.add(slotOf(rule, rule.limit), this.keyOf(`${rule.name}:slot`, subject));
        held.push(slot);
        if (slot.count <= 1) continue;
        refused = slot;
      }
      // A refused attempt is no attempt: it leaves every counter as it found it.
      await reservation.refund();
      throw new BusyError(Math.max(1, Math.ceil(refused.msLeft / 1000)), rule.refusal);
    }
    return reservation;
  }

  async start(): Promise<void> {
    await this.store.start?.();
  }

  async close(): Promise<void> {
    await this.store.close?.();
  }

  private keyOf(counter: string, subject: string): string {
    return keyedHash(this.key, counter, subject);
  }
}

function specOf(rule: AttemptRule): CounterSpec {
  return { name: rule.name, max: rule.limit.max, windowSeconds: rule.limit.windowSeconds };
}

/** The pace past a paced limit: a window of `slowdownSeconds` that holds one attempt. */
function slotOf(rule: AttemptRule, limit: PacedLimit): CounterSpec {
  return { name: `${rule.name}:slot`, max: 1, windowSeconds: limit.slowdownSeconds };
}

function reservationOf(held: readonly Counted[]): Reservation {
  let refunded = false;
  return {
    refund: async () => {
      if (refunded) return;
      refunded = true;
      for (const counted of held) await counted.takeBack();
    },
  };
}
