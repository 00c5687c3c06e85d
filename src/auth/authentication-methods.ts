/**
 * How a user proved who they are, as access tokens state it in `amr` (RFC 8176
 * "Authentication Method Reference Values"). A closed list: a token naming any
 * other method is invalid, so no forged or future value can count as a factor.
 */
export const AUTH_METHODS = ['pwd', 'otp', 'hwk', 'swk'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * The factors (NIST SP 800-63B) each method proves. A passkey (hwk: a hardware-bound
 * key, swk: a synced software key) proves possession of the authenticator and, through
 * its user verification (PIN or biometric), knowledge or inherence: two factors alone.
 * A recovery code is a one-time password (RFC 8176 has no value of its own for it): `otp`.
 */
const FACTORS_OF: Readonly<Record<AuthMethod, readonly Factor[]>> = {
  pwd: ['knowledge'],
  otp: ['possession'],
  hwk: ['possession', 'user-verification'],
  swk: ['possession', 'user-verification'],
};
type Factor = 'knowledge' | 'possession' | 'user-verification';

/** One authentication event: the methods proven, and when (ms since the epoch) the oldest of them was. */
export interface Authentication {
  readonly methods: readonly AuthMethod[];
  readonly at: number;
}

/** What a password alone proves: a user without a second factor, and tokens from before `amr` existed. */
export const PASSWORD_ONLY: readonly AuthMethod[] = Object.freeze(['pwd']);

/** How many distinct factors `methods` prove together (a password and a TOTP code: 2; a passkey: 2). */
export function factorCount(methods: readonly AuthMethod[]): number {
  return new Set(methods.flatMap((method) => FACTORS_OF[method])).size;
}

/** The methods of a token's `amr` claim, or null when it is not a non-empty list of distinct known methods. */
export function parseAuthMethods(value: unknown): AuthMethod[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > AUTH_METHODS.length) return null;
  if (!value.every((method): method is AuthMethod => (AUTH_METHODS as readonly unknown[]).includes(method))) {
    return null;
  }
  return new Set(value).size === value.length ? value : null;
}

/** Canonical order and no duplicates, so equal sets of methods are equal lists (in tokens and in the database). */
export function normalizeMethods(methods: Iterable<AuthMethod>): AuthMethod[] {
  const set = new Set(methods);
  return AUTH_METHODS.filter((method) => set.has(method));
}
