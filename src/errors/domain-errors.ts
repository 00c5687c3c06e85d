/**
 * Domain errors: what services and the auth machinery throw. They know
 * nothing of GraphQL; `src/graphql/errors.ts` maps them to the closed list
 * of public error codes at the edge.
 */

/** Why an authentication attempt failed; sent to clients as `extensions.reason`. */
export type TokenFailureReason = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_STALE';
export type RefreshFailureReason = 'REFRESH_TOKEN_INVALID' | 'REFRESH_TOKEN_REUSED' | 'SESSION_EXPIRED';
export type SecondFactorFailureReason = 'MFA_CHALLENGE_INVALID' | 'INVALID_MFA_CODE';
export type AuthFailureReason =
  | TokenFailureReason
  | RefreshFailureReason
  | SecondFactorFailureReason
  | 'INVALID_CREDENTIALS'
  | 'EMAIL_NOT_VERIFIED'
  | 'MFA_REQUIRED'
  | 'PASSKEY_INVALID';

export abstract class DomainError extends Error {
  abstract readonly kind: 'authentication' | 'input' | 'busy' | 'unavailable' | 'disabled';
}

/** No valid identity: a bad token, or a login that did not prove one. */
export class AuthenticationError extends DomainError {
  override readonly name = 'AuthenticationError';
  readonly kind = 'authentication';
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_MESSAGES: Readonly<Record<TokenFailureReason, string>> = {
  TOKEN_INVALID: 'The access token is invalid.',
  TOKEN_EXPIRED: 'The access token has expired.',
  TOKEN_REVOKED: 'The session of this access token has ended.',
  TOKEN_STALE: "The user's roles changed; refresh the access token.",
};

export class InvalidTokenError extends AuthenticationError {
  declare readonly reason: TokenFailureReason;
  constructor(reason: TokenFailureReason = 'TOKEN_INVALID') {
    super(reason, TOKEN_MESSAGES[reason]);
  }
}

const REFRESH_MESSAGES: Readonly<Record<RefreshFailureReason, string>> = {
  REFRESH_TOKEN_INVALID: 'The refresh token is invalid.',
  REFRESH_TOKEN_REUSED: 'The refresh token was already used; the session has been ended.',
  SESSION_EXPIRED: 'The session has expired; log in again.',
};

export class RefreshError extends AuthenticationError {
  declare readonly reason: RefreshFailureReason;
  constructor(reason: RefreshFailureReason) {
    super(reason, REFRESH_MESSAGES[reason]);
  }
}

/**
 * One answer for an unknown email, a wrong password and a disabled account,
 * so the response does not tell an attacker which accounts exist.
 */
export class InvalidCredentialsError extends AuthenticationError {
  /** For the audit log only; never part of the answer. */
  constructor(readonly userId: string | null = null) {
    super('INVALID_CREDENTIALS', 'Invalid email or password.');
  }
}

/**
 * REQUIRE_VERIFIED_EMAIL: the password was right, but the address is not verified yet. Only
 * ever thrown after a successful password check (and its full argon2 work), so it tells
 * nothing a successful login would not.
 */
export class EmailNotVerifiedError extends AuthenticationError {
  constructor(readonly userId: string) {
    super('EMAIL_NOT_VERIFIED', 'Confirm your email address with the link we sent, then log in.');
  }
}

/**
 * Login's answer when the password was right and the account has a second factor: no
 * tokens, a challenge for `verifyMfa` instead. Only ever thrown after a correct password,
 * so it reveals nothing a successful login would not.
 */
export class SecondFactorRequiredError extends AuthenticationError {
  constructor(
    /** Single-use, short-lived; never an access token. */
    readonly challenge: string,
    readonly expiresInSeconds: number,
    /** What `verifyMfa` accepts for this account (`TOTP`, `RECOVERY_CODE`). */
    readonly methods: readonly string[],
  ) {
    super('MFA_REQUIRED', 'A second factor is required: call verifyMfa with the challenge and a code.');
  }
}

const SECOND_FACTOR_MESSAGES: Readonly<Record<SecondFactorFailureReason, string>> = {
  MFA_CHALLENGE_INVALID: 'The sign-in challenge is invalid or has expired; log in again.',
  INVALID_MFA_CODE: 'The code is incorrect.',
};

/** verifyMfa refused: a dead challenge, or a wrong, reused or unknown code. */
export class SecondFactorError extends AuthenticationError {
  declare readonly reason: SecondFactorFailureReason;
  constructor(reason: SecondFactorFailureReason) {
    super(reason, SECOND_FACTOR_MESSAGES[reason]);
  }
}

/** Input that breaks a rule; `field` names the argument so clients can show it next to the input. */
export class InvalidInputError extends DomainError {
  override readonly name = 'InvalidInputError';
  readonly kind = 'input';
  constructor(
    readonly field: string,
    message: string,
    /** A machine-readable why, when clients must tell this case from others (`extensions.reason`). */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/**
 * A token from an emailed link (verification, email change, password reset) that is
 * unknown, malformed, expired, already used, or dead because what it was bound to
 * changed: one answer for all, so a guessed token learns nothing.
 */
export class EmailTokenError extends InvalidInputError {
  constructor() {
    super('token', 'This link is invalid or has expired; ask for a new one.', 'EMAIL_TOKEN_INVALID');
  }
}

/**
 * A signed-in caller whose address is not verified yet asked to add a sign-in method (a
 * passkey, an authenticator app): BAD_USER_INPUT, field `email`, reason EMAIL_NOT_VERIFIED.
 * The caller is the account's holder and can read `me.emailVerified`, so it tells nothing new.
 */
export class EmailNotVerifiedInputError extends InvalidInputError {
  constructor() {
    super('email', 'Confirm your email address with the link we sent first.', 'EMAIL_NOT_VERIFIED');
  }
}

/** A flow this deployment turned off (PASSWORD_RESET=false, EMAIL_VERIFICATION=false). */
export class FeatureDisabledError extends DomainError {
  override readonly name = 'FeatureDisabledError';
  readonly kind = 'disabled';
  constructor(readonly feature: string) {
    super(`${feature} is turned off on this server.`);
  }
}

/** Too much work queued (password hashing); the client should retry later. */
export class BusyError extends DomainError {
  override readonly name = 'BusyError';
  readonly kind = 'busy';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'The server is busy; try again shortly.',
  ) {
    super(message);
  }
}

/**
 * A store the answer depends on (PostgreSQL) cannot be reached. The request fails
 * closed; `cause` holds the driver's error for the log, never for the client, since
 * it names hosts and ports.
 */
export class ServiceUnavailableError extends DomainError {
  override readonly name = 'ServiceUnavailableError';
  readonly kind = 'unavailable';
  constructor(
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super('The service is temporarily unavailable; try again shortly.', options);
  }
}
