/**
 * Domain errors: what services and the auth machinery throw. They know
 * nothing of GraphQL; `src/graphql/errors.ts` maps them to the closed list
 * of public error codes at the edge.
 */

/** Why an authentication attempt failed; sent to clients as `extensions.reason`. */
export type AuthFailureReason = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'INVALID_CREDENTIALS';

export abstract class DomainError extends Error {
  abstract readonly kind: 'authentication' | 'input' | 'busy';
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

export class InvalidTokenError extends AuthenticationError {
  constructor(reason: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' = 'TOKEN_INVALID') {
    super(reason, reason === 'TOKEN_EXPIRED' ? 'The access token has expired.' : 'The access token is invalid.');
  }
}

/**
 * One answer for an unknown email, a wrong password and a disabled account,
 * so the response does not tell an attacker which accounts exist.
 */
export class InvalidCredentialsError extends AuthenticationError {
  constructor() {
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
  constructor(readonly retryAfterSeconds: number) {
    super('The server is busy; try again shortly.');
  }
}
