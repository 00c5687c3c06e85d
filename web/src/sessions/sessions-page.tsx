import { useMutation, useQuery } from '@apollo/client/react';
import { useTollgate } from '@tollgate/client/react';
import { useState } from 'react';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { QueryProblem } from '../components/query-problem';
import { describeError, describeLogoutError, type ProblemDescription } from '../errors/describe-error';
import { getFragmentData, graphql } from '../generated';
import { SessionRow, SessionRowFragment } from './session-row';

const MySessionsQuery = graphql(`
  query MySessions {
    mySessions {
      id
      ...SessionRow_session
    }
  }
`);

const RevokeSessionMutation = graphql(`
  mutation RevokeMySession($id: ID!) {
    revokeSession(id: $id)
  }
`);

export function SessionsPage() {
  const tollgate = useTollgate();
  const { data, error, refetch } = useQuery(MySessionsQuery, { fetchPolicy: 'cache-and-network' });
  const [revoke] = useMutation(RevokeSessionMutation, { refetchQueries: ['MySessions'], awaitRefetchQueries: true });
  const [problem, setProblem] = useState<ProblemDescription | null>(null);
  const [status, setStatus] = useState('');

  async function revokeOne(id: string) {
    setProblem(null);
    try {
      const result = await revoke({ variables: { id } });
      setStatus(result.data?.revokeSession ? 'The session was ended.' : 'That session had already ended.');
    } catch (caught) {
      setProblem(describeError(caught));
    }
  }

  async function logOutEverywhere() {
    setProblem(null);
    try {
      // Ends this session too: the client signs out and the router shows the login page.
      await tollgate.logoutAll(false);
    } catch (caught) {
      setProblem(describeLogoutError(caught));
    }
  }

  const sessions = data?.mySessions ?? [];
  return (
    <section>
      <PageHeading>Your sessions</PageHeading>
      <p>Every browser or device signed in to your account. Ending one signs it out within a minute at most.</p>
      <ProblemAlert problem={problem} />
      <p role="status" className="success">
        {status}
      </p>
      {error ? <QueryProblem error={error} retry={() => void refetch()} /> : null}
      {data ? (
        <ul className="list" aria-label="Open sessions">
          {sessions.map((session) => (
            <SessionRow
              key={session.id}
              session={session}
              onRevoke={() => void revokeOne(getFragmentData(SessionRowFragment, session).id)}
            />
          ))}
        </ul>
      ) : !error ? (
        <p aria-live="polite">Loading your sessions…</p>
      ) : null}
      <div className="card danger-zone">
        <h2>Log out everywhere</h2>
        <p>Ends every session of your account, this one included.</p>
        <button type="button" className="danger" onClick={() => void logOutEverywhere()}>
          Log out everywhere
        </button>
      </div>
    </section>
  );
}
