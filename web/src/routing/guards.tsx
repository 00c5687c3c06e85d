import { useCan, useSession } from '@tollgate/client/react';
import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { NotAllowedPage } from '../pages/not-allowed-page';
import type { ReturnState } from './return-path';

/**
 * Private pages render only for a signed-in viewer. Signed out (a logout here or in another
 * tab, an ended session, or Back after logging out), they are replaced by the login page at
 * once: nothing private is drawn from history, and the cache was cleared by the client.
 */
export function RequireSignedIn() {
  const session = useSession();
  const location = useLocation();
  if (session.status !== 'signedIn') {
    // Once a session has ended here (a logout, or revoked, expired, disabled), the next person
    // to log in on this screen starts at their own profile, not at the previous user's page.
    // Only a visitor who had no session (a bookmark, a typed URL) is brought back to it.
    const ended = session.status === 'signedOut' && session.reason !== undefined;
    const state: ReturnState = ended ? {} : { from: location.pathname + location.search };
    return <Navigate to="/login" replace state={state} />;
  }
  return <Outlet />;
}

/** The login and sign-up pages are for visitors; a signed-in one goes to their profile. */
export function RequireSignedOut() {
  const session = useSession();
  return session.status === 'signedIn' ? <Navigate to="/profile" replace /> : <Outlet />;
}

/**
 * The admin area, decided from the schema's own policies (`can`), before any request: a
 * non-admin who types the URL sees why they cannot be here, not a broken page.
 */
export function RequireAdmin({ children }: { children?: ReactNode }) {
  const mayListUsers = useCan('Query.users');
  if (!mayListUsers) return <NotAllowedPage />;
  return children ?? <Outlet />;
}
