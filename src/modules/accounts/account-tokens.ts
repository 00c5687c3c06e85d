import { randomBytes } from 'node:crypto';
import { keyedHash } from '../../auth/keyed-hash';
import type { AccountTokenPurpose } from './account-tokens.tables';

/** 256 random bits, base64url: 43 characters. */
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** How long each kind of link works. */
export const TOKEN_LIFETIME_MS: Readonly<Record<AccountTokenPurpose, number>> = {
  // A reset link is a password: short-lived.
  password_reset: 30 * 60_000,
  // A verification link only proves an address; a day lets it wait in an inbox overnight.
  verify_email: 24 * 3_600_000,
  change_email: 24 * 3_600_000,
};

/** Making and recognising the tokens of emailed links. */
export class AccountTokenCrypto {
  /** `key` serves this purpose only (deriveKey): a stolen table cannot be checked against guesses without it. */
  constructor(private readonly key: Buffer) {}

  generate(): string {
    return randomBytes(TOKEN_BYTES).toString('base64url');
  }

  /**
   * What the table stores, bound to the purpose: a verification token's hash can never
   * match a reset lookup, even if a row's purpose were tampered with.
   */
  hash(purpose: AccountTokenPurpose, token: string): string {
    return keyedHash(this.key, purpose, token);
  }

  isWellFormed(token: string): boolean {
    return TOKEN_SHAPE.test(token);
  }
}
