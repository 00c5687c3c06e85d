import { randomInt } from 'node:crypto';
import { keyedHash } from '../../auth/keyed-hash';

/** How many codes confirming an authenticator (or asking for new ones) gives. */
export const RECOVERY_CODE_COUNT = 10;
// Crockford's base32: no I, L, O or U, so a code copied from paper reads back one way.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 characters of 32: 50 bits each, out of reach of online guessing at any throttle. */
const LENGTH = 10;
const TYPED = /^[0-9A-Z]{10}$/;

/** Fresh codes, shown once as `XXXXX-XXXXX`. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** A typed code in its canonical form (case, dashes, spaces, and Crockford's look-alikes); null if it cannot be one. */
export function normalizeRecoveryCode(raw: string): string | null {
  if (raw.length > 64) return null;
  const code = raw
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return TYPED.test(code) && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/**
 * HMAC-SHA256 under a key that is not in the database, bound to the user. Not argon2: a
 * code has 50 random bits, so without the key a dump cannot be searched offline, and a
 * login checks one indexed hash instead of ten slow ones (no hashing flood to aim at).
 */
export function hashRecoveryCode(key: Buffer, userId: string, normalized: string): string {
  return keyedHash(key, userId, normalized);
}
