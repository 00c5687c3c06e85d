import { boundedNfkc } from '../../auth/unicode';
import { InvalidInputError } from '../../errors/domain-errors';

export const EMAIL_MAX_LENGTH = 254;
export const DISPLAY_NAME_MAX_LENGTH = 64;
/** Raw UTF-16 code units normalized at most (see boundedNfkc); anything longer is over the limit anyway. */
const MAX_RAW_LENGTH = 1024;

// Deliberately loose: the only real check of an address is mail reaching it.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/u;
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The one form an email is stored and looked up in: trimmed, NFKC (so full-width
 * and compatibility characters fold to one spelling) and lower-case. An input too
 * long to be an address is not normalized: it comes back cut to one character over
 * EMAIL_MAX_LENGTH, so it matches no account and passes no check.
 */
export function canonicalEmail(raw: string): string {
  const trimmed = raw.trim();
  return (boundedNfkc(trimmed, MAX_RAW_LENGTH) ?? trimmed.slice(0, EMAIL_MAX_LENGTH + 1)).toLowerCase();
}

export function validEmail(raw: string, field = 'email'): string {
  const email = canonicalEmail(raw);
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL_SHAPE.test(email) || CONTROL_OR_FORMAT.test(email)) {
    throw new InvalidInputError(field, 'Enter a valid email address.');
  }
  return email;
}

export function validDisplayName(raw: string, field = 'displayName'): string {
  const name = boundedNfkc(raw, MAX_RAW_LENGTH)?.trim() ?? null;
  const length = name === null ? Infinity : [...name].length;
  if (length === 0) throw new InvalidInputError(field, 'Display name must not be empty.');
  if (name === null || length > DISPLAY_NAME_MAX_LENGTH) {
    throw new InvalidInputError(field, `Display name must be at most ${DISPLAY_NAME_MAX_LENGTH} characters.`);
  }
  if (CONTROL_OR_FORMAT.test(name)) throw new InvalidInputError(field, 'Display name contains invisible characters.');
  return name;
}
