import { createHash, randomBytes } from 'node:crypto';

/**
 * The value login hands out instead of tokens when a second factor is due: 256 random bits,
 * opaque (not a JWT, so no verifier of access tokens can be talked into accepting it; it has
 * none of their shape), stored only as its SHA-256.
 */
const PREFIX = 'mfa_';
const SHAPE = /^mfa_[A-Za-z0-9_-]{43}$/;

export function newMfaChallenge(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form; null when the value cannot be a challenge (nothing is looked up for it). */
export function mfaChallengeHash(presented: string): string | null {
  return SHAPE.test(presented) ? createHash('sha256').update(presented).digest('hex') : null;
}
