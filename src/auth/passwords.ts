import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { InvalidInputError } from '../errors/domain-errors';
import { ConcurrencyLimit, type Priority } from './concurrency-limit';
import { boundedNfkc } from './unicode';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_PARAMS = Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 });

export const PASSWORD_MIN_LENGTH = 8;
// Long enough for passphrases and managers; short enough that hashing cost cannot be inflated by huge inputs.
export const PASSWORD_MAX_LENGTH = 128;
/** UTF-16 code units a password may have before normalizing: room for 128 decomposed or astral characters. */
export const PASSWORD_MAX_RAW_LENGTH = 8 * PASSWORD_MAX_LENGTH;

export interface PasswordVerification {
  readonly ok: boolean;
  /** The hash was made with older parameters and should be replaced now that the password is known. */
  readonly needsRehash: boolean;
}

export interface PasswordHasher {
  /** `low` for work anyone can ask for anonymously (new accounts): it waits behind logins. */
  hash(password: string, priority?: Priority): Promise<string>;
  verify(hash: string, password: string): Promise<PasswordVerification>;
  /** The same argon2 work as a real verify, for logins whose email is unknown. */
  verifyAgainstDummy(password: string): Promise<void>;
  /** Hashes running and waiting for a slot now (for metrics); absent on hashers built by tests. */
  load?(): { readonly running: number; readonly queued: number };
}

export interface PasswordHasherOptions {
  /** Concurrent hashes; default: the number of cores, leaving libuv threads for I/O. */
  readonly concurrency?: number;
  /** Hashes that may wait for a slot before new ones are refused as busy. */
  readonly maxQueued?: number;
  readonly params?: typeof ARGON2_PARAMS;
}

/**
 * Checks the password rules. Lengths count Unicode code points, after NFKC,
 * so "é" typed on any keyboard is one character and hashes the same way.
 * Nothing is truncated: a password either fits the rules or is refused.
 */
export function normalizePassword(password: string, field = 'password'): string {
  const normalized = boundedNfkc(password, PASSWORD_MAX_RAW_LENGTH);
  const length = normalized === null ? Infinity : [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw new InvalidInputError(field, `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (normalized === null || length > PASSWORD_MAX_LENGTH) {
    throw new InvalidInputError(field, `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  return normalized;
}

export async function createPasswordHasher(options: PasswordHasherOptions = {}): Promise<PasswordHasher> {
  const params = options.params ?? ARGON2_PARAMS;
  const limit = new ConcurrencyLimit(options.concurrency ?? availableParallelism(), options.maxQueued ?? 256);
  const hashOptions = { type: argon2.argon2id as 2, ...params };
  const dummyHash = await argon2.hash('tollgate-dummy-password', hashOptions);

  return {
    hash: (password, priority = 'high') => limit.run(() => argon2.hash(password, hashOptions), priority),

    async verify(hash, password) {
      const ok = await limit.run(() => argon2.verify(hash, password));
      return { ok, needsRehash: ok && argon2.needsRehash(hash, params) };
    },

    async verifyAgainstDummy(password) {
      await limit.run(() => argon2.verify(dummyHash, password));
    },

    load: () => ({ running: limit.active, queued: limit.queued }),
  };
}
