import { AuthenticationError, InvalidInputError } from '../../errors/domain-errors';

/** Which check refused an assertion: for the audit log and the server log, never for the caller. */
export type PasskeyFailure =
  | 'unreadable'
  | 'challenge'
  | 'unknown_credential'
  | 'foreign_credential'
  | 'user_handle'
  | 'user_disabled'
  | 'not_verified'
  | 'counter_regressed'
  | 'raced'
  | 'session_refused';

/**
 * A passkey login or reauthentication that proved nothing: an unknown, expired, reused or
 * foreign challenge, a wrong origin or RP ID, a bad signature, an unknown or removed
 * credential, a disabled user, a counter that went backwards. One answer for all
 * (UNAUTHENTICATED / PASSKEY_INVALID): the caller learns nothing about which check failed
 * or whether the credential belongs to anyone.
 */
export class PasskeyAuthenticationError extends AuthenticationError {
  constructor(
    /** For the audit log (a closed list: nothing the client wrote). */
    readonly why: PasskeyFailure,
    readonly userId: string | null = null,
    /** For the server log only: the library's words, which may quote the client's data. */
    readonly detail?: string,
  ) {
    super('PASSKEY_INVALID', 'The passkey could not be verified; try again.');
  }
}

/**
 * A registration the server refused (BAD_USER_INPUT / PASSKEY_INVALID, field `response`).
 * The caller is signed in and made the passkey themself, but the answer is just as vague:
 * the detail is logged.
 */
export class PasskeyRegistrationError extends InvalidInputError {
  constructor(readonly why: string) {
    super('response', 'The passkey could not be registered; try again.', 'PASSKEY_INVALID');
  }
}
