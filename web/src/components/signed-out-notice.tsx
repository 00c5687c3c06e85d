import { useSession } from '@tollgate/client/react';
import type { SignedOutReason } from '@tollgate/client';

const NOTICES: Record<SignedOutReason, string | null> = {
  // The person chose it (here or in another tab): the login page says enough.
  LOGGED_OUT: null,
  REFRESH_TOKEN_INVALID: 'Your session has ended. Please log in again.',
  SESSION_EXPIRED: 'Your session has expired. Please log in again.',
  TOKEN_REVOKED: 'You were signed out: this session was ended from another device or by an administrator.',
  REFRESH_TOKEN_REUSED:
    'For your safety you were signed out: this session’s sign-in was used twice, which can mean it was copied.',
};

/** Why the visitor is signed out, when it was not their own doing. */
export function SignedOutNotice() {
  const session = useSession();
  if (session.status !== 'signedOut' || !session.reason) return null;
  const notice = NOTICES[session.reason];
  return notice ? (
    <p className="notice" role="status">
      {notice}
    </p>
  ) : null;
}
