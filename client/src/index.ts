/**
 * @tollgate/client: Tollgate for Apollo Client 4. The access token lives in memory only, the
 * refresh token in the `__Host-tollgate-refresh` HttpOnly cookie; one auth link attaches the
 * bearer, refreshes once for every operation in flight, and keeps tabs on one session.
 * React bindings are in `@tollgate/client/react`.
 */
export { createTollgateClient } from './tollgate-client';
export type {
  TollgateClient,
  TollgateClientOptions,
  AuthResult,
  SignUpInput,
  AuthUser,
  MfaInput,
  ReauthenticateInput,
} from './tollgate-client';
export type { Viewer, SessionState, SignedOutReason } from './session-state';
export { TollgateError, isTollgateError } from './tollgate-error';
export type { TollgateErrorCode, MfaChallenge } from './tollgate-error';
export type { LockManagerLike } from './tabs/refresh-lock';
export { can, policyOf } from './permissions/can';
export type { OwnershipContext } from './permissions/can';
export { fieldPolicies } from './generated/policies';
export type { FieldCoordinate, FieldPolicy, AuthRule, Role } from './generated/policies';
