import { InvalidInputError } from '../../errors/domain-errors';
import { PASSKEY_NAME_MAX_LENGTH } from './passkey.model';

// One line, as the list shows it: no control, line-separator or invisible format characters
// other than the joiners emoji need (ZWNJ, ZWJ); and no run of combining marks long enough
// to make normalize() slow (UAX #15's stream-safe limit).
const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200C\u200D])\p{Cf}/u;
const LONG_MARK_RUN = /\p{M}{31,}/u;

/** A passkey's name as stored: NFC, trimmed, 1 to PASSKEY_NAME_MAX_LENGTH characters on one line. */
export function validPasskeyName(raw: string, field = 'name'): string {
  const tooLong = `A passkey name must be at most ${PASSKEY_NAME_MAX_LENGTH} characters.`;
  // Four code units per character at most: a longer raw value cannot fit once normalized.
  if (raw.length > PASSKEY_NAME_MAX_LENGTH * 4) throw new InvalidInputError(field, tooLong);
  if (LONG_MARK_RUN.test(raw))
    throw new InvalidInputError(field, 'A passkey name has too many combining marks in a row.');
  const name = raw.normalize('NFC').trim();
  if (name.length === 0) throw new InvalidInputError(field, 'A passkey name cannot be empty.');
  if (FORBIDDEN.test(name)) throw new InvalidInputError(field, 'A passkey name must be one line of visible text.');
  if ([...name].length > PASSKEY_NAME_MAX_LENGTH) throw new InvalidInputError(field, tooLong);
  return name;
}
