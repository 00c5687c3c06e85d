import { useMutation } from '@apollo/client/react';
import { useSession } from '@tollgate/client/react';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { describeError, type ProblemDescription } from '../errors/describe-error';
import { graphql } from '../generated';
import { useLinkToken } from './link-token';
import { ResendVerificationForm } from './resend-verification-form';

const VerifyEmailMutation = graphql(`
  mutation VerifyMyEmail($token: String!) {
    verifyEmail(token: $token)
  }
`);

type Outcome =
  | { kind: 'checking' }
  | { kind: 'verified' }
  | { kind: 'failed'; problem: ProblemDescription }
  // Opened with no link (from the login page): only the form asking for one.
  | { kind: 'no-link' };

/**
 * The page a verification (or email change) link opens: the token is sent once, and the
 * page says whether it worked; a dead link offers a new one.
 */
export function VerifyEmailPage() {
  const token = useLinkToken();
  const session = useSession();
  // Profile pages show emailVerified from the cache: ask the server again after a change.
  const [verifyEmail] = useMutation(VerifyEmailMutation, { refetchQueries: 'active' });
  const [outcome, setOutcome] = useState<Outcome>(() => (token ? { kind: 'checking' } : { kind: 'no-link' }));
  // The token works once: never send it twice (React runs effects twice in development).
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    verifyEmail({ variables: { token } }).then(
      () => setOutcome({ kind: 'verified' }),
      (error: unknown) => setOutcome({ kind: 'failed', problem: describeError(error) }),
    );
  }, [token, verifyEmail]);

  return (
    <section className="card narrow">
      <PageHeading>Confirm your email address</PageHeading>
      {outcome.kind === 'checking' ? <p aria-live="polite">Checking your link…</p> : null}
      {outcome.kind === 'verified' ? (
        <>
          <p role="status" className="success">
            Your email address is confirmed.
          </p>
          <p>
            {session.status === 'signedIn' ? (
              <Link to="/profile">Go to your profile</Link>
            ) : (
              <Link to="/login">Log in</Link>
            )}
          </p>
        </>
      ) : null}
      {outcome.kind === 'failed' ? (
        <>
          <ProblemAlert problem={outcome.problem} />
          <ResendVerificationForm heading="Get a new link" />
        </>
      ) : null}
      {outcome.kind === 'no-link' ? (
        <>
          <p>We send a link to confirm your address. Didn’t get it, or did it expire? Ask for a new one.</p>
          <ResendVerificationForm />
        </>
      ) : null}
    </section>
  );
}
