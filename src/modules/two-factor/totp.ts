import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app reads it: HMAC-SHA-1, 6 digits, 30 s steps. */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Codes of the step before and after are accepted too: phones' clocks drift, people type slowly. */
const WINDOW_STEPS = 1;
/** 160 bits, the length RFC 4226 §4 recommends for the shared secret. */
const SECRET_BYTES = 20;
const CODE = /^\d{6}$/;

export function newTotpSecret(): Buffer {
  return randomBytes(SECRET_BYTES);
}

function totpFor(secret: Buffer, label = 'account', issuer = 'Tollgate'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
  });
}

/** The base32 secret (for manual entry) and the `otpauth://totp/…` URI (for the QR code). */
export function describeTotp(secret: Buffer, issuer: string, label: string): { base32: string; uri: string } {
  const totp = totpFor(secret, label, issuer);
  return { base32: totp.secret.base32, uri: totp.toString() };
}

/** What a user types, spaces removed; null when it cannot be a code (so no work is done for it). */
export function normalizeTotpCode(raw: string): string | null {
  const code = raw.replace(/\s+/g, '');
  return CODE.test(code) ? code : null;
}

/**
 * The time step (counter) whose code `code` is, within one step of `nowMs`; null when
 * it is none of them. The caller accepts it only if that step is newer than the last
 * one used (RFC 6238 §5.2: a code must not be accepted twice).
 */
export function matchTotpStep(secret: Buffer, code: string, nowMs: number): number | null {
  // otpauth compares in constant time for the candidates of the window.
  const delta = totpFor(secret).validate({ token: code, timestamp: nowMs, window: WINDOW_STEPS });
  if (delta === null) return null;
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
}
