import type { AuthTransport, IssuedPair } from '../../client/src/auth-transport';
import { Session } from '../../client/src/session';
import type { SessionState } from '../../client/src/session-state';
import { storageEventChannel, type StorageWindowLike } from '../../client/src/tabs/tab-channel';
import { parseTabMessage, type TabMessage } from '../../client/src/tabs/tab-messages';
import { TollgateError } from '../../client/src/tollgate-error';
import { ManualTimers, uniqueChannel } from './helpers/tabs';

type StorageListener = (event: { key: string | null; newValue: string | null }) => void;

/**
 * Two windows of one origin sharing localStorage, as a browser does: a write in one fires
 * `storage` in the others, never in the writer. Every value written is kept for inspection.
 */
function sharedOrigin() {
  const store = new Map<string, string>();
  const written: string[] = [];
  const windows: Array<{ window: StorageWindowLike; listeners: Set<StorageListener> }> = [];
  const open = (): StorageWindowLike => {
    const listeners = new Set<StorageListener>();
    const windowLike: StorageWindowLike = {
      localStorage: {
        setItem(key, value) {
          store.set(key, value);
          written.push(value);
          for (const other of windows) {
            if (other.window !== windowLike) for (const listener of other.listeners) listener({ key, newValue: value });
          }
        },
        removeItem(key) {
          store.delete(key);
          for (const other of windows) {
            if (other.window !== windowLike) for (const listener of other.listeners) listener({ key, newValue: null });
          }
        },
      },
      addEventListener: (_type, listener) => listeners.add(listener),
      removeEventListener: (_type, listener) => listeners.delete(listener),
    };
    windows.push({ window: windowLike, listeners });
    return windowLike;
  };
  return { open, store, written };
}

describe('the storage-event fallback between tabs', () => {
  it('never writes an access token to storage: a refresh travels as a bare notice', () => {
    const origin = sharedOrigin();
    const received: TabMessage[] = [];
    const sender = storageEventChannel('app', () => undefined, origin.open())!;
    storageEventChannel('app', (message) => received.push(message), origin.open());
    sender.post({ type: 'refreshed', from: 'tab-1', accessToken: 'eyJ.secret.token', expiresAt: 1 });
    expect(received).toEqual([{ type: 'sessionChanged', from: 'tab-1' }]);
    expect(origin.written.join('')).not.toContain('secret');
    // Nothing stays behind in storage either.
    expect(origin.store.size).toBe(0);
    expect(sender.carriesTokens).toBe(false);
  });

  it('carries a sign-out with its reason, and each notice fires even when repeated', () => {
    const origin = sharedOrigin();
    const received: TabMessage[] = [];
    const sender = storageEventChannel('app', () => undefined, origin.open())!;
    storageEventChannel('app', (message) => received.push(message), origin.open());
    sender.post({ type: 'signedOut', from: 'tab-1', reason: 'LOGGED_OUT' });
    sender.post({ type: 'signedOut', from: 'tab-1', reason: 'LOGGED_OUT' });
    expect(received).toEqual([
      { type: 'signedOut', from: 'tab-1', reason: 'LOGGED_OUT' },
      { type: 'signedOut', from: 'tab-1', reason: 'LOGGED_OUT' },
    ]);
  });

  it('ignores another app’s key and stops listening once closed', () => {
    const origin = sharedOrigin();
    const received: TabMessage[] = [];
    const sender = storageEventChannel('app', () => undefined, origin.open())!;
    const other = storageEventChannel('other-app', () => undefined, origin.open())!;
    const receiver = storageEventChannel('app', (message) => received.push(message), origin.open())!;
    other.post({ type: 'signedOut', from: 'x', reason: 'LOGGED_OUT' });
    receiver.close();
    sender.post({ type: 'signedOut', from: 'tab-1', reason: 'LOGGED_OUT' });
    expect(received).toEqual([]);
  });

  it.each(['signedIn', 'refreshed'])(
    'drops a %s with an access token found in storage (another script of the origin, an older version)',
    (type) => {
      const origin = sharedOrigin();
      const received: TabMessage[] = [];
      storageEventChannel('app', (message) => received.push(message), origin.open());
      const writer = origin.open();
      const forged = { type, from: 'evil', accessToken: 'eyJ.forged.token', expiresAt: Date.now() + 3_600_000 };
      writer.localStorage!.setItem('app:signal', JSON.stringify(forged));
      expect(received).toEqual([]);
      // Notices still arrive the same way.
      writer.localStorage!.setItem('app:signal', JSON.stringify({ type: 'sessionChanged', from: 'tab-1' }));
      expect(received).toEqual([{ type: 'sessionChanged', from: 'tab-1' }]);
    },
  );

  it('is not used without localStorage', () => {
    expect(storageEventChannel('app', () => undefined, undefined)).toBeNull();
  });
});

describe('tab messages', () => {
  const hostile: unknown[] = [
    null,
    'signedOut',
    {},
    { type: 'signedOut', from: 'x' },
    { type: 'signedOut', from: 'x', reason: 'SOMETHING_ELSE' },
    { type: 'refreshed', from: 'x', accessToken: 42, expiresAt: 1 },
    { type: 'refreshed', from: 'x', accessToken: 'a.b.c' },
    { type: 'refreshed', accessToken: 'a.b.c', expiresAt: 1 },
    { type: 'unknown', from: 'x' },
  ];
  it.each(hostile.map((value) => [JSON.stringify(value), value]))('ignores %s', (_name, value) => {
    expect(parseTabMessage(value)).toBeNull();
  });

  it('reads a well-formed message', () => {
    expect(parseTabMessage({ type: 'refreshed', from: 'x', accessToken: 'a.b.c', expiresAt: 5, extra: 1 })).toEqual({
      type: 'refreshed',
      from: 'x',
      accessToken: 'a.b.c',
      expiresAt: 5,
    });
  });
});

/** An access token as the client reads it (payload only; the client verifies nothing). */
function accessToken(claims: { sub: string; sid: string; iat: number }): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256' })}.${encode({ ...claims, roles: ['USER'] })}.signature`;
}

describe('a session that ended in this tab', () => {
  const sessions: Session[] = [];
  const channels: BroadcastChannel[] = [];
  afterEach(() => {
    for (const session of sessions.splice(0)) session.dispose();
    for (const channel of channels.splice(0)) channel.close();
  });

  /** One tab's session on `channelName`; its transport is never reached in these tests. */
  function tabSession(channelName: string): Session {
    const unreachable = (): Promise<IssuedPair> =>
      Promise.reject(new TollgateError('not in this test', { code: 'NETWORK_ERROR' }));
    const transport: AuthTransport = {
      login: unreachable,
      signUp: unreachable,
      verifyMfa: unreachable,
      refresh: unreachable,
    };
    const session = new Session({
      transport,
      channelName,
      locks: null,
      refreshLeewayMs: 60_000,
      now: Date.now,
      timers: new ManualTimers(),
      clearCache: () => Promise.resolve(),
    });
    sessions.push(session);
    return session;
  }

  /** Every state `session` goes through from now on. */
  function statesOf(session: Session): SessionState[] {
    const seen: SessionState[] = [];
    session.subscribe((state) => seen.push(state));
    return seen;
  }

  /** Resolves once `session` is signed in to `sessionId`. */
  function signedInTo(session: Session, sessionId: string): Promise<void> {
    return new Promise((resolve) => {
      const check = (state: SessionState) => state.status === 'signedIn' && state.viewer.sessionId === sessionId;
      if (check(session.getState())) return resolve();
      const unsubscribe = session.subscribe((state) => {
        if (!check(state)) return;
        unsubscribe();
        resolve();
      });
    });
  }

  const user = { id: 'ann', email: null, displayName: 'Ann', roles: null, createdAt: '', lastLoginAt: null };

  it('ignores a refreshed token of that session that crossed the sign-out, and still takes a new login', async () => {
    const channelName = uniqueChannel();
    const session = tabSession(channelName);
    const other = new BroadcastChannel(channelName);
    channels.push(other);
    const iat = Math.floor(Date.now() / 1000);
    await session.signIn({ accessToken: accessToken({ sub: 'ann', sid: 's1', iat }), expiresIn: 900, user });
    await session.signOut('LOGGED_OUT', true);

    const seen = statesOf(session);

    // Another tab refreshed just before it heard of the logout: a newer token of session s1.
    // Then a login there, a new session: it arrives after (one sender keeps its order), so
    // once it is adopted the late refresh has been handled.
    const late = accessToken({ sub: 'ann', sid: 's1', iat: iat + 5 });
    const fresh = accessToken({ sub: 'ann', sid: 's2', iat: iat + 6 });
    other.postMessage({ type: 'refreshed', from: 'tab-2', accessToken: late, expiresAt: Date.now() + 900_000 });
    other.postMessage({ type: 'signedIn', from: 'tab-2', accessToken: fresh, expiresAt: Date.now() + 900_000 });
    await signedInTo(session, 's2');
    expect(seen.map((state) => (state.status === 'signedIn' ? state.viewer.sessionId : state.status))).toEqual(['s2']);
  });

  it('also ignores it when the sign-out came from another tab', async () => {
    const channelName = uniqueChannel();
    const session = tabSession(channelName);
    const other = new BroadcastChannel(channelName);
    channels.push(other);
    const iat = Math.floor(Date.now() / 1000);
    await session.signIn({ accessToken: accessToken({ sub: 'ann', sid: 's1', iat }), expiresIn: 900, user });
    const seen = statesOf(session);

    const late = accessToken({ sub: 'ann', sid: 's1', iat: iat + 5 });
    const fresh = accessToken({ sub: 'ann', sid: 's2', iat: iat + 6 });
    other.postMessage({ type: 'signedOut', from: 'tab-2', reason: 'LOGGED_OUT' });
    other.postMessage({ type: 'refreshed', from: 'tab-2', accessToken: late, expiresAt: Date.now() + 900_000 });
    other.postMessage({ type: 'signedIn', from: 'tab-2', accessToken: fresh, expiresAt: Date.now() + 900_000 });
    await signedInTo(session, 's2');
    expect(seen.map((state) => (state.status === 'signedIn' ? state.viewer.sessionId : state.status))).toEqual([
      'signedOut',
      's2',
    ]);
  });
});
