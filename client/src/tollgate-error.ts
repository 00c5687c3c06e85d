/**
 * Every `extensions.code` the server sends (README "Errors"), plus `NETWORK_ERROR` when no
 * answer arrived at all. Unknown codes from a newer server pass through as strings.
 */
export type TollgateErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK_ERROR'
  | (string & {});

/** What login's `MFA_REQUIRED` answer carries: pass `challenge` to `verifyMfa` with a code. */
export interface MfaChallenge {
  readonly challenge: string;
  /** Seconds the challenge stays valid. */
  readonly expiresIn: number;
  /** What `verifyMfa` accepts for this account, such as `TOTP`, `RECOVERY_CODE`. */
  readonly methods: readonly string[];
}

interface TollgateErrorDetails {
  readonly code: TollgateErrorCode;
  /** `extensions.reason`: INVALID_CREDENTIALS, TOKEN_EXPIRED, REFRESH_TOKEN_REUSED… */
  readonly reason?: string;
  /** `extensions.field` of BAD_USER_INPUT: which input broke a rule, for highlighting it. */
  readonly field?: string;
  /** `extensions.retryAfter` of TOO_MANY_REQUESTS and SERVICE_UNAVAILABLE, in seconds. */
  readonly retryAfter?: number;
  /** The HTTP status, when an answer arrived. */
  readonly status?: number;
  /** The error's whole `extensions`, for what this type does not name. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

function mfaChallengeOf(extensions: Readonly<Record<string, unknown>> | undefined): MfaChallenge | undefined {
  const mfa = extensions?.mfa as Record<string, unknown> | undefined;
  if (typeof mfa?.challenge !== 'string') return undefined;
  return {
    challenge: mfa.challenge,
    expiresIn: typeof mfa.expiresIn === 'number' ? mfa.expiresIn : 0,
    methods: Array.isArray(mfa.methods) ? mfa.methods.filter((m): m is string => typeof m === 'string') : [],
  };
}

/**
 * What `login`, `signUp`, `logout` and `logoutAll` reject with: the server's first error,
 * typed, so a UI can turn `code` / `reason` / `field` / `retryAfter` into a sentence.
 */
export class TollgateError extends Error {
  override readonly name = 'TollgateError';
  readonly code: TollgateErrorCode;
  readonly reason: string | undefined;
  readonly field: string | undefined;
  readonly retryAfter: number | undefined;
  readonly status: number | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;
  /** Set when `reason` is `MFA_REQUIRED`: the password was right, a second factor is asked for. */
  readonly mfa: MfaChallenge | undefined;

  constructor(message: string, details: TollgateErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.reason = details.reason;
    this.field = details.field;
    this.retryAfter = details.retryAfter;
    this.status = details.status;
    this.extensions = details.extensions ?? {};
    this.mfa = mfaChallengeOf(details.extensions);
  }
}

export function isTollgateError(error: unknown): error is TollgateError {
  return error instanceof TollgateError;
}
