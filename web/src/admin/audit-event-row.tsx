import { Link } from 'react-router';
import { formatDateTime } from '../format';
import { getFragmentData, graphql, type FragmentType } from '../generated';
import type { AuditEventType } from '../generated/graphql';

export const AuditEventRowFragment = graphql(`
  fragment AuditEventRow_event on AuditEvent {
    at
    type
    userId
    actorId
    ip
    userAgent
    details
  }
`);

// Where the words of the enum say too little; any other type (a module may add its own) reads
// as its name in words: ARTICLE_PUBLISHED → "Article published".
const EVENT_LABELS: Partial<Record<AuditEventType, string>> = {
  LOGIN_SUCCEEDED: 'Logged in',
  REFRESH_TOKEN_REUSED: 'Refresh token reused (session ended)',
  REFRESH_TOKEN_REPLAYED: 'Refresh token replayed within the grace window',
  SESSION_REVOKED: 'Session ended',
  USER_DISABLED: 'Account disabled',
  USER_ENABLED: 'Account enabled',
};

function describeEventType(type: AuditEventType): string {
  const words = type.toLowerCase().replaceAll('_', ' ');
  return EVENT_LABELS[type] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

export function AuditEventRow(props: { event: FragmentType<typeof AuditEventRowFragment> }) {
  const event = getFragmentData(AuditEventRowFragment, props.event);
  return (
    <li className="list__item">
      <div>
        <p className="list__title">{describeEventType(event.type)}</p>
        <p className="list__meta">
          <time dateTime={event.at}>{formatDateTime(event.at)}</time>
          {event.ip ? ` · ${event.ip}` : ''}
          {event.details ? ` · ${describeDetails(event.details)}` : ''}
        </p>
        <p className="list__meta">
          {event.userId ? (
            <>
              User <Link to={`/admin/audit?user=${encodeURIComponent(event.userId)}`}>{event.userId}</Link>
            </>
          ) : (
            'No user'
          )}
          {event.actorId ? ` · by ${event.actorId}` : ''}
        </p>
      </div>
    </li>
  );
}

/** `{"before":["USER"],"after":["EDITOR"]}` → "before: USER; after: EDITOR". */
function describeDetails(details: string): string {
  try {
    const parsed: unknown = JSON.parse(details);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return details;
    return Object.entries(parsed)
      .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
      .join('; ');
  } catch {
    return details;
  }
}
