/**
 * The second line of defence for logs: code never logs a password or token on purpose,
 * and this removes them wherever they could slip in anyway — under a known key at any
 * depth, inside a string (a bearer header, a JWT, a cookie, a GraphQL document or JSON
 * body quoted in an error message), in an error's message and stack.
 */
export const CENSOR = '[redacted]';

// Keys whose value is a credential, whatever object they sit in (compared lower-cased, without _ or -).
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'password',
  'currentpassword',
  'newpassword',
  'passwordhash',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'token',
  'secret',
  'jwtsecret',
  'refreshtokensecret',
  'clientsecret',
  'privatekey',
  // Second factors: login's MFA challenge and single-use recovery codes.
  'challenge',
  'recoverycode',
]);

const ARGUMENT_NAMES =
  'password|currentPassword|newPassword|refreshToken|accessToken|token|secret|challenge|recoveryCode';
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // A PEM private key (a path variable given the key itself, a library quoting its input), to its
  // footer or the end of the string.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, CENSOR],
  // A compact JWS: three base64url parts, the first a JSON header (`{"` is `eyJ`).
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, CENSOR],
  // Login's MFA challenge (src/modules/two-factor/mfa-challenge-token.ts), wherever it is quoted.
  [/\bmfa_[A-Za-z0-9_-]{43}/g, CENSOR],
  // RFC 6750 credentials after their scheme, and Basic ones.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${CENSOR}`],
  // A one-time token in a link (`…/reset-password#token=…`): the mails' links are never logged,
  // and this keeps it so if one ever is.
  [/([#?&]token=)[^&\s"'<>]*/g, `$1${CENSOR}`],
  // Any cookie's value (a Cookie or Set-Cookie header quoted as a string).
  [/(__Host-[\w-]+=|tollgate[\w-]*=)[^;,\s"]*/g, `$1${CENSOR}`],
  // Arguments of a GraphQL document and members of a JSON body: `password: "…"`, `"refreshToken":"…"`.
  [new RegExp(`(\\b(?:${ARGUMENT_NAMES})\\\\?"?\\s*:\\s*\\\\?")(?:[^"\\\\]|\\\\(?!"))*`, 'g'), `$1${CENSOR}`],
];

// Every pattern above needs one of these: most strings (paths, ids, messages) are passed after one test.
const MIGHT_HOLD_A_SECRET =
  /eyJ|bearer|basic|__host-|tollgate|password|token|secret|private key|mfa_|challenge|recoverycode/i;

const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

/** A string with every credential-shaped part replaced. */
export function scrubString(value: string): string {
  if (!MIGHT_HOLD_A_SECRET.test(value)) return value;
  let scrubbed = value;
  for (const [pattern, replacement] of PATTERNS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

/**
 * A copy of `value` with secret keys censored and strings scrubbed, down to MAX_DEPTH.
 * Errors are left to the `err` serializer (scrubbed there); other class instances
 * (Buffers, Dates) are kept as they are.
 */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretKey(key) && item !== undefined && item !== null ? CENSOR : scrubValue(item, depth + 1);
  }
  return copy;
}
