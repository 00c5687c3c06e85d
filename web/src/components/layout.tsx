import { useCan, useSession, useTollgate } from '@tollgate/client/react';
import { useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import { describeLogoutError, type ProblemDescription } from '../errors/describe-error';
import { ProblemAlert } from './problem-alert';
import { SignedOutNotice } from './signed-out-notice';

export function Layout() {
  const session = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <p className="header__brand">Tollgate</p>
        {session.status === 'signedIn' ? <SignedInNavigation /> : null}
      </header>
      <main id="main" tabIndex={-1}>
        <SignedOutNotice />
        <Outlet />
      </main>
    </>
  );
}

function SignedInNavigation() {
  const tollgate = useTollgate();
  // Hidden, not just disabled: the schema's policy says this viewer may not list users.
  const showAdmin = useCan('Query.users');
  const [problem, setProblem] = useState<ProblemDescription | null>(null);
  const [busy, setBusy] = useState(false);

  async function logOut() {
    setBusy(true);
    setProblem(null);
    try {
      await tollgate.logout();
    } catch (error) {
      setProblem(describeLogoutError(error));
      setBusy(false);
    }
  }

  return (
    <>
      <nav className="header__nav" aria-label="Main">
        <NavLink to="/profile">Profile</NavLink>
        <NavLink to="/sessions">Sessions</NavLink>
        <NavLink to="/passkeys">Passkeys</NavLink>
        <NavLink to="/two-factor">Two-factor</NavLink>
        <NavLink to="/articles">Articles</NavLink>
        {showAdmin ? (
          <>
            <NavLink to="/admin/users">Users</NavLink>
            <NavLink to="/admin/audit">Audit log</NavLink>
          </>
        ) : null}
        <button type="button" className="link-button" onClick={() => void logOut()} disabled={busy}>
          Log out
        </button>
      </nav>
      <ProblemAlert problem={problem} />
    </>
  );
}
