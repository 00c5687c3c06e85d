import type { Role } from './generated/policies';

/**
 * Who the access token says the caller is. Decoded from the token's payload for display and
 * for `can`: never proof of anything. The server verifies every request and decides.
 */
export interface Viewer {
  /** The user's id (`sub`). */
  readonly id: string;
  readonly roles: readonly Role[];
  /** The session the token belongs to (`sid`); `mySessions` marks it `current`. */
  readonly sessionId: string;
  /** When the access token expires, in milliseconds since the epoch on this device's clock. */
  readonly expiresAt: number;
}

/**
 * Why the client is signed out. The server's refresh failures (`REFRESH_TOKEN_INVALID`,
 * `REFRESH_TOKEN_REUSED`: the session was ended because its refresh token was used twice,
 * `SESSION_EXPIRED`), a session ended elsewhere (`TOKEN_REVOKED`), or a logout here or in
 * another tab (`LOGGED_OUT`).
 */
export type SignedOutReason =
  'LOGGED_OUT' | 'REFRESH_TOKEN_INVALID' | 'REFRESH_TOKEN_REUSED' | 'SESSION_EXPIRED' | 'TOKEN_REVOKED';

/**
 * `restoring`: the page has just loaded and the one cookie `refresh` has not answered yet;
 * render neither the signed-in nor the signed-out UI. A `signedOut` without a reason is a
 * visitor who had no session to restore.
 */
export type SessionState =
  | { readonly status: 'restoring' }
  | { readonly status: 'signedIn'; readonly viewer: Viewer }
  | { readonly status: 'signedOut'; readonly reason?: SignedOutReason };
