/**
 * Domain errors: what services and the auth machinery throw. They know
 * nothing of GraphQL; `src/graphql/errors.ts` maps them to the closed list
 * of public error codes at the edge.
 */

/** Why an authentication attempt failed; sent to clients as `extensions.reason`. */
export type TokenFailureReason = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_STALE';
export type RefreshFailureReason = 'REFRESH_TOKEN_INVALID' | 'REFRESH_TOKEN_REUSED' | 'SESSION_EXPIRED';
export type AuthFailureReason = TokenFailureReason | RefreshFailureReason | 'INVALID_CREDENTIALS';

export abstract class DomainError extends Error {
  abstract readonly kind: 'authentication' | 'input' | 'busy' | 'unavailable';
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

/** Input that breaks a rule; `field` names the argument so clients can show it next to the input. */
export class InvalidInputError extends DomainError {
  override readonly name = 'InvalidInputError';
  readonly kind = 'input';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
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
