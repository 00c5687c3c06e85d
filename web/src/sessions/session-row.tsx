import { getFragmentData, graphql, type FragmentType } from '../generated';
import { formatDateTime } from '../format';

export const SessionRowFragment = graphql(`
  fragment SessionRow_session on Session {
    id
    createdAt
    lastUsedAt
    userAgent
    ip
    current
  }
`);

export function SessionRow(props: { session: FragmentType<typeof SessionRowFragment>; onRevoke: () => void }) {
  const session = getFragmentData(SessionRowFragment, props.session);
  const device = session.userAgent ? describeUserAgent(session.userAgent) : 'Unknown device';
  return (
    <li className={session.current ? 'list__item list__item--current' : 'list__item'}>
      <div>
        <p className="list__title">
          {device}
          {session.current ? <span className="badge">This device</span> : null}
        </p>
        <p className="list__meta">
          Signed in {formatDateTime(session.createdAt)} · last active {formatDateTime(session.lastUsedAt)}
          {session.ip ? ` · ${session.ip}` : ''}
        </p>
      </div>
      {session.current ? null : (
        <button type="button" className="secondary" onClick={props.onRevoke} aria-label={`End session on ${device}`}>
          End session
        </button>
      )}
    </li>
  );
}

// First match wins: Edge's user agent also names Chrome, and Chrome's names Safari.
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/Edg\//, 'Edge'],
  [/Firefox\//, 'Firefox'],
  [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome on Linux" from a user agent string: enough to recognise one's own devices. */
function describeUserAgent(userAgent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'A browser';
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  return system ? `${browser} on ${system}` : browser;
}
