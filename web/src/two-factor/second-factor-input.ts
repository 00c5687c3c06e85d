/**
 * One input takes either a 6-digit code from the authenticator app or a recovery code
 * (`XXXXX-XXXXX`): six digits, spaces aside, are a code; anything else is sent as a recovery
 * code, which the server normalises (case, dashes, look-alike letters).
 */
export function secondFactorFrom(typed: string): { code: string } | { recoveryCode: string } | null {
  const trimmed = typed.trim();
  if (trimmed === '') return null;
  const digits = trimmed.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? { code: digits } : { recoveryCode: trimmed };
}
