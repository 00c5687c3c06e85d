import { InvalidInputError } from '../../errors/domain-errors';

export const TITLE_MAX_LENGTH = 200;
export const BODY_MAX_LENGTH = 20_000;
export const REVIEW_NOTES_MAX_LENGTH = 5_000;

/**
 * UAX #15's Stream-Safe Text Format allows at most 30 non-starters in a row; no real text
 * needs more. Threat: normalize() is quadratic in long runs of combining marks out of
 * canonical order (80,000 of them held the event loop for 1.6 s), and the HTTP body limit
 * lets a client send that much. Refused before normalizing, so the cost stays linear.
 */
const LONG_MARK_RUN = /\p{M}{31,}/u;
// Titles are one line: no control characters, no line or paragraph separators, and no
// format characters except the joiners that emoji and several scripts need (ZWNJ, ZWJ).
const TITLE_FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200C\u200D])\p{Cf}/u;
// Prose keeps tabs and line breaks; other control characters are never text.
const PROSE_FORBIDDEN = /[^\P{Cc}\t\n]/u;

/**
 * Text as stored: NFC (canonically equivalent spellings become one, while compatibility
 * characters such as ² or ﬁ, which NFKC would rewrite, stay as written), CRLF as LF.
 * Raw input longer than four code units per allowed character cannot fit once normalized
 * and is refused unread.
 */
function normalized(raw: string, field: string, maxLength: number, label: string): string {
  if (raw.length > maxLength * 4) throw tooLong(field, label, maxLength);
  if (LONG_MARK_RUN.test(raw)) throw new InvalidInputError(field, `${label} has too many combining marks in a row.`);
  return raw.normalize('NFC').replace(/\r\n?/g, '\n');
}

function tooLong(field: string, label: string, maxLength: number): InvalidInputError {
  return new InvalidInputError(field, `${label} must be at most ${maxLength} characters.`);
}

function characters(text: string): number {
  return [...text].length;
}

export function validTitle(raw: string, field = 'title'): string {
  const title = normalized(raw, field, TITLE_MAX_LENGTH, 'Title').trim();
  if (title.length === 0) throw new InvalidInputError(field, 'Title must not be empty.');
  if (characters(title) > TITLE_MAX_LENGTH) throw tooLong(field, 'Title', TITLE_MAX_LENGTH);
  if (TITLE_FORBIDDEN.test(title))
    throw new InvalidInputError(field, 'Title contains control or invisible characters.');
  return title;
}

export function validBody(raw: string, field = 'body'): string {
  const body = normalized(raw, field, BODY_MAX_LENGTH, 'Body');
  if (body.trim().length === 0) throw new InvalidInputError(field, 'Body must not be empty.');
  if (characters(body) > BODY_MAX_LENGTH) throw tooLong(field, 'Body', BODY_MAX_LENGTH);
  if (PROSE_FORBIDDEN.test(body)) throw new InvalidInputError(field, 'Body contains control characters.');
  return body;
}

/** Review notes; blank notes clear them (null). */
export function validReviewNotes(raw: string | null, field = 'reviewNotes'): string | null {
  if (raw === null) return null;
  const notes = normalized(raw, field, REVIEW_NOTES_MAX_LENGTH, 'Review notes');
  if (notes.trim().length === 0) return null;
  if (characters(notes) > REVIEW_NOTES_MAX_LENGTH) throw tooLong(field, 'Review notes', REVIEW_NOTES_MAX_LENGTH);
  if (PROSE_FORBIDDEN.test(notes)) throw new InvalidInputError(field, 'Review notes contain control characters.');
  return notes;
}
