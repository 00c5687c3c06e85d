import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { PageHeading } from '../components/page-heading';
import { Pager } from '../components/pager';
import { ProblemAlert } from '../components/problem-alert';
import { QueryProblem } from '../components/query-problem';
import { useCursorPages } from '../components/use-cursor-pages';
import type { ProblemDescription } from '../errors/describe-error';
import { graphql } from '../generated';
import { AdminUserRow } from './admin-user-row';

export const USERS_PAGE_SIZE = 20;

const AdminUsersQuery = graphql(`
  query AdminUsers($first: Int!, $after: String) {
    users(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          ...AdminUserRow_user
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export function AdminUsersPage() {
  const pages = useCursorPages();
  const { data, previousData, error, refetch, loading } = useQuery(AdminUsersQuery, {
    variables: { first: USERS_PAGE_SIZE, after: pages.after },
    fetchPolicy: 'cache-and-network',
  });
  const [problem, setProblem] = useState<ProblemDescription | null>(null);
  const [status, setStatus] = useState('');
  // While the next page loads, keep the last one on screen instead of a blank list.
  const shown = data ?? previousData;
  const pageInfo = shown?.users.pageInfo;

  return (
    <section>
      <PageHeading>Users</PageHeading>
      <ProblemAlert problem={problem} />
      <p role="status" className="success">
        {status}
      </p>
      {error ? <QueryProblem error={error} retry={() => void refetch()} /> : null}
      {shown ? (
        <>
          <ul className="list" aria-label="Users" aria-busy={loading}>
            {shown.users.edges.map(({ node }) => (
              <AdminUserRow
                key={node.id}
                user={node}
                onDone={(message) => {
                  setProblem(null);
                  setStatus(message);
                }}
                onProblem={(described) => {
                  setStatus('');
                  setProblem(described);
                }}
              />
            ))}
          </ul>
          <Pager
            label="Pages of users"
            pageNumber={pages.pageNumber}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(pageInfo?.hasNextPage && pageInfo.endCursor)}
            onPrevious={pages.previous}
            onNext={() => pageInfo?.endCursor && pages.next(pageInfo.endCursor)}
          />
        </>
      ) : !error ? (
        <p aria-live="polite">Loading users…</p>
      ) : null}
    </section>
  );
}
