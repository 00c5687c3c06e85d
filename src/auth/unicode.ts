/**
 * NFKC of an input no longer than `maxCodeUnits`, or null for a longer one.
 *
 * Threat: String.prototype.normalize is quadratic in long runs of combining marks out
 * of canonical order: one 90 KB password held the event loop for 2 s, before any
 * throttle. Callers bound the raw input first, a few times above their own limit in
 * characters (NFKC shrinks decomposed input, é written as e + U+0301, and an astral
 * character takes two code units), and answer a longer one as over their limit.
 */
export function boundedNfkc(raw: string, maxCodeUnits: number): string | null {
  return raw.length <= maxCodeUnits ? raw.normalize('NFKC') : null;
}
