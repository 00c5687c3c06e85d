import { useQuery } from '@apollo/client/react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { PageHeading } from '../components/page-heading';
import { Pager } from '../components/pager';
import { QueryProblem } from '../components/query-problem';
import { TextField } from '../components/text-field';
import { useCursorPages } from '../components/use-cursor-pages';
import { graphql } from '../generated';
import { AuditEventRow } from './audit-event-row';

export const AUDIT_PAGE_SIZE = 25;

const AuditLogQuery = graphql(`
  query AuditLog($first: Int!, $after: String, $userId: ID) {
    auditEvents(first: $first, after: $after, userId: $userId) {
      edges {
        cursor
        node {
          id
          ...AuditEventRow_event
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export function AuditLogPage() {
  // The filter lives in the URL: a user's audit log can be linked to, and Back undoes a filter.
  const [search, setSearch] = useSearchParams();
  const userId = search.get('user')?.trim() || null;

  function applyFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('user') ?? '').trim();
    setSearch(value ? { user: value } : {});
  }

  return (
    <section>
      <PageHeading>Audit log</PageHeading>
      {/* Keyed by the filter: a new filter starts again at its first page, with a fresh input. */}
      <form key={`filter:${userId ?? ''}`} className="card inline-form" role="search" onSubmit={applyFilter}>
        <TextField
          label="Only events about user (id)"
          name="user"
          defaultValue={userId ?? ''}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="secondary">
          Filter
        </button>
        {userId ? <Link to="/admin/audit">Show every user</Link> : null}
      </form>
      <AuditEventPages key={`events:${userId ?? ''}`} userId={userId} />
    </section>
  );
}

function AuditEventPages({ userId }: { userId: string | null }) {
  const pages = useCursorPages();
  const { data, previousData, error, refetch, loading } = useQuery(AuditLogQuery, {
    variables: { first: AUDIT_PAGE_SIZE, after: pages.after, userId },
    fetchPolicy: 'cache-and-network',
  });
  const shown = data ?? previousData;
  const pageInfo = shown?.auditEvents.pageInfo;
  if (error) return <QueryProblem error={error} retry={() => void refetch()} />;
  if (!shown) return <p aria-live="polite">Loading the audit log…</p>;
  return (
    <>
      {shown.auditEvents.edges.length === 0 ? <p>No events.</p> : null}
      <ol className="list" aria-label="Audit events, newest first" aria-busy={loading}>
        {shown.auditEvents.edges.map(({ node }) => (
          <AuditEventRow key={node.id} event={node} />
        ))}
      </ol>
      <Pager
        label="Pages of audit events"
        pageNumber={pages.pageNumber}
        hasPrevious={pages.hasPrevious}
        hasNext={Boolean(pageInfo?.hasNextPage && pageInfo.endCursor)}
        onPrevious={pages.previous}
        onNext={() => pageInfo?.endCursor && pages.next(pageInfo.endCursor)}
      />
    </>
  );
}
