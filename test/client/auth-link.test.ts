import { gql, type TypedDocumentNode } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { Role } from '../../src/auth/roles';
import { SetUserRolesDocument, RevokeSessionDocument } from '../generated/graphql';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../helpers/test-server';
import type { TollgateClient } from '../../client/src';
import { enrolTotp, totpCode, wrongTotpCode } from '../helpers/two-factor';
import { TestBrowser } from './helpers/browser';
import { ManualTimers, openTab, until, uniqueChannel } from './helpers/tabs';

// The link speaks HTTP to the server; the database behind it changes nothing here, so one
// dialect (SQLite) is enough. The session suites themselves run on both.
const ACCESS_TTL_SECONDS = 900;
// Past the token's expiry and the 30 s of clock skew the server allows.
const PAST_EXPIRY_SECONDS = ACCESS_TTL_SECONDS + 60;

const ME: TypedDocumentNode<{ me: { id: string; roles: string[] | null } | null }> = gql`
  query LinkMe {
    me {
      id
      email
      roles
    }
  }
`;

describe('the Tollgate auth link, against a real server', () => {
  let server: TestServer;
  let tabs: TollgateClient[];
  let emailCounter = 0;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { ACCESS_TOKEN_TTL: `${ACCESS_TTL_SECONDS}s` } });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    tabs = [];
  });
  afterEach(() => {
    for (const tab of tabs) tab.dispose();
  });

  const tab = (browser: TestBrowser, options: Parameters<typeof openTab>[2] = {}) => {
    const client = openTab(browser, server.url, { channelName: uniqueChannel(), ...options });
    tabs.push(client);
    return client;
  };

  /** A new user, signed in on a new browser's tab. */
  async function signedInTab(roles: readonly Role[] = [Role.USER], options: Parameters<typeof openTab>[2] = {}) {
    emailCounter += 1;
    const email = `link-${emailCounter}@example.com`;
    const user = await server.createUser(email, roles);
    const browser = new TestBrowser();
    const client = tab(browser, options);
    await client.login(email, TEST_PASSWORD);
    return { browser, client, user, email };
  }

  const meQueries = (count: number) => Array.from({ length: count }, (_, i) => gql`query LinkMe${i} { me { id } }`);

  describe('signing in and restoring', () => {
    it('restores nothing for a visitor without a cookie: one refresh, then signed out with no reason', async () => {
      const browser = new TestBrowser();
      const client = tab(browser);
      expect(client.getState()).toEqual({ status: 'restoring' });
      await expect(client.restore()).resolves.toEqual({ status: 'signedOut' });
      expect(browser.count('TollgateRefresh')).toBe(1);
    });

    it('logs in with the refresh token in the cookie only, and reads the viewer from the access token', async () => {
      const { browser, client, user } = await signedInTab();
      const state = client.getState();
      expect(state).toMatchObject({ status: 'signedIn', viewer: { id: user.id, roles: ['USER'] } });
      expect(browser.refreshCookie).toEqual(expect.any(String));
      const login = browser.requests.find((request) => request.operationName === 'TollgateLogin');
      expect(login?.authorization).toBeNull();
    });

    it('restores the session on a reload from the cookie alone, staying "restoring" until it answers', async () => {
      const { browser, user } = await signedInTab();
      const reloaded = tab(browser);
      const seen: string[] = [];
      reloaded.subscribe((state) => seen.push(state.status));
      // An operation started during the restore waits for it and goes out with the token.
      const [state, me] = await Promise.all([reloaded.restore(), reloaded.apollo.query({ query: ME })]);
      expect(state).toMatchObject({ status: 'signedIn', viewer: { id: user.id } });
      expect(seen).toEqual(['signedIn']);
      expect(me.data).toMatchObject({ me: { id: user.id } });
      const refresh = browser.requests.filter((request) => request.operationName === 'TollgateRefresh');
      expect(refresh).toHaveLength(1);
      expect(refresh[0]?.authorization).toBeNull();
    });

    it('rejects a wrong password with a typed error and changes nothing', async () => {
      const { client, email } = await signedInTab();
      const before = client.getState();
      await expect(client.login(email, 'not the password')).rejects.toMatchObject({
        name: 'TollgateError',
        code: 'UNAUTHENTICATED',
        reason: 'INVALID_CREDENTIALS',
      });
      expect(client.getState()).toBe(before);
    });

    it('says how long to wait after too many wrong passwords', async () => {
      const { client, email } = await signedInTab();
      let refusal: unknown;
      for (let attempt = 0; attempt < 12 && !refusal; attempt++) {
        const error = await client.login(email, 'not the password').catch((caught: unknown) => caught);
        if ((error as { code?: string }).code === 'TOO_MANY_REQUESTS') refusal = error;
      }
      expect(refusal).toMatchObject({
        name: 'TollgateError',
        code: 'TOO_MANY_REQUESTS',
        retryAfter: expect.any(Number),
      });
      expect(client.getState().status).toBe('signedIn');
    });

    it('names the field of a sign-up that breaks a rule', async () => {
      const client = tab(new TestBrowser());
      await expect(
        client.signUp({ email: 'short@example.com', password: 'short', displayName: 'Short' }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
      expect(client.getState()).toEqual({ status: 'restoring' });
    });

    it('leaves a visitor signed out when the server cannot be reached, without throwing', async () => {
      const client = openTab(new TestBrowser(), 'http://127.0.0.1:1/graphql');
      tabs.push(client);
      await expect(client.restore()).resolves.toEqual({ status: 'signedOut' });
    });
  });

  describe('a refused access token', () => {
    it('answers 10 queries in flight when the token expires with exactly one refresh and 10 successes', async () => {
      const { browser, client, user } = await signedInTab();
      const tokenBefore = await client.getAccessToken();
      server.clock.advance(PAST_EXPIRY_SECONDS);
      const results = await Promise.all(
        meQueries(10).map((query) => client.apollo.query({ query, fetchPolicy: 'network-only' })),
      );
      expect(results.map((result) => result.data)).toEqual(Array(10).fill({ me: { __typename: 'User', id: user.id } }));
      expect(browser.count('TollgateRefresh')).toBe(1);
      const queries = browser.requests.filter((request) => request.operationName?.startsWith('LinkMe'));
      // Each was sent with the expired token, refused, and sent once more with the new one.
      expect(queries.filter((request) => request.status === 401)).toHaveLength(10);
      expect(
        queries.filter((request) => request.status === 401).every((r) => r.authorization === `Bearer ${tokenBefore}`),
      ).toBe(true);
      expect(queries.filter((request) => request.status === 200)).toHaveLength(10);
      expect(await client.getAccessToken()).not.toBe(tokenBefore);
    });

    it('refreshes a stale token after a role change and shows the new roles', async () => {
      const { browser, client, user } = await signedInTab();
      const admin = await server.signIn(`link-admin-${++emailCounter}@example.com`, [Role.ADMIN]);
      const changed = await server.execute(
        SetUserRolesDocument,
        { userId: user.id, roles: [Role.EDITOR] },
        { token: admin.accessToken },
      );
      expect(changed.errors).toBeUndefined();
      const result = await client.apollo.query({ query: ME, fetchPolicy: 'network-only' });
      expect(result.data).toMatchObject({ me: { id: user.id, roles: ['EDITOR'] } });
      expect(client.getState()).toMatchObject({ status: 'signedIn', viewer: { roles: ['EDITOR'] } });
      expect(browser.count('TollgateRefresh')).toBe(1);
    });

    it('retries an operation only once: a token refused again passes the error through', async () => {
      const { browser, client } = await signedInTab();
      // Every answer to the retried request is a 401 again: the server keeps refusing.
      const refusing = tab(browser, {
        fetch: async (input, init) => {
          const response = await browser.fetch(input, init);
          if (!String(init?.body).includes('LinkMe')) return response;
          return new Response(
            JSON.stringify({
              errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } }],
            }),
            { status: 401, headers: { 'content-type': 'application/graphql-response+json' } },
          );
        },
      });
      await refusing.restore();
      const refreshesBefore = browser.count('TollgateRefresh');
      const refused = await refusing.apollo.query({ query: ME, fetchPolicy: 'network-only' }).catch((e: unknown) => e);
      expect(CombinedGraphQLErrors.is(refused) && refused.errors[0]?.extensions?.reason).toBe('TOKEN_EXPIRED');
      expect(browser.count('TollgateRefresh') - refreshesBefore).toBe(1);
      expect(refusing.getState().status).toBe('signedIn');
      expect(client.getState().status).toBe('signedIn');
    });

    it('refreshes first, without a refused request, when the token has already expired on this device', async () => {
      const { browser, client } = await signedInTab([Role.USER], { now: () => server.clock.now() });
      server.clock.advance(PAST_EXPIRY_SECONDS);
      await client.apollo.query({ query: ME, fetchPolicy: 'network-only' });
      expect(browser.count('TollgateRefresh')).toBe(1);
      expect(browser.requests.some((request) => request.status === 401)).toBe(false);
    });
  });

  describe('the proactive refresh', () => {
    it('is scheduled the leeway before expiry and renews the token of an active tab, so no request is refused', async () => {
      const timers = new ManualTimers();
      const { browser, client } = await signedInTab([Role.USER], {
        now: () => server.clock.now(),
        timers,
        refreshLeewayMs: 60_000,
      });
      expect(timers.delays()).toEqual([(ACCESS_TTL_SECONDS - 60) * 1000]);
      await client.apollo.query({ query: ME, fetchPolicy: 'network-only' });
      const before = await client.getAccessToken();
      server.clock.advance(ACCESS_TTL_SECONDS - 60);
      timers.fireAll();
      await until(
        client,
        (state) => state.status === 'signedIn' && state.viewer.expiresAt > server.clock.now() + 60_000,
      );
      expect(await client.getAccessToken()).not.toBe(before);
      // The old token's expiry passes: the renewed one is still good.
      server.clock.advance(120);
      await client.apollo.query({ query: ME, fetchPolicy: 'network-only' });
      expect(browser.count('TollgateRefresh')).toBe(1);
      expect(browser.requests.some((request) => request.status === 401)).toBe(false);
    });

    it('is skipped by an idle tab, whose next request refreshes first instead', async () => {
      const timers = new ManualTimers();
      const { browser, client } = await signedInTab([Role.USER], { now: () => server.clock.now(), timers });
      server.clock.advance(ACCESS_TTL_SECONDS - 60);
      timers.fireAll();
      await Promise.resolve();
      expect(browser.count('TollgateRefresh')).toBe(0);
      server.clock.advance(PAST_EXPIRY_SECONDS);
      await client.apollo.query({ query: ME, fetchPolicy: 'network-only' });
      expect(browser.count('TollgateRefresh')).toBe(1);
      expect(browser.requests.some((request) => request.status === 401)).toBe(false);
    });

    it('renews in the background when an idle tab becomes active inside the leeway: nobody waits', async () => {
      const timers = new ManualTimers();
      const { browser, client } = await signedInTab([Role.USER], { now: () => server.clock.now(), timers });
      server.clock.advance(ACCESS_TTL_SECONDS - 30);
      timers.fireAll();
      const answer = await client.apollo.query({ query: ME, fetchPolicy: 'network-only' });
      expect(answer.data?.me).toBeTruthy();
      await until(
        client,
        (state) => state.status === 'signedIn' && state.viewer.expiresAt > server.clock.now() + 60_000,
      );
      expect(browser.count('TollgateRefresh')).toBe(1);
      expect(browser.requests.some((request) => request.status === 401)).toBe(false);
    });

    it('never refreshes before half of a short-lived token has passed, whatever the leeway', async () => {
      const timers = new ManualTimers();
      await signedInTab([Role.USER], { now: () => server.clock.now(), timers, refreshLeewayMs: 10 * 60 * 60_000 });
      expect(timers.delays()).toEqual([(ACCESS_TTL_SECONDS / 2) * 1000]);
    });
  });

  describe('two-factor login and step-up', () => {
    it('completes a login that asks for a second factor with verifyMfa', async () => {
      emailCounter += 1;
      const email = `link-mfa-${emailCounter}@example.com`;
      const signedIn = await server.signIn(email);
      const { secret } = await enrolTotp(server, signedIn.accessToken);
      const client = tab(new TestBrowser());
      const asked = await client.login(email, TEST_PASSWORD).catch((error: unknown) => error);
      expect(asked).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MFA_REQUIRED' });
      const challenge = (asked as { mfa?: { challenge: string; methods: string[] } }).mfa;
      expect(challenge).toEqual({
        challenge: expect.any(String),
        expiresIn: expect.any(Number),
        methods: expect.any(Array),
      });
      expect(client.getState().status).toBe('restoring');
      await expect(
        client.verifyMfa({ challenge: challenge!.challenge, code: wrongTotpCode(secret, server.clock.now()) }),
      ).rejects.toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_MFA_CODE' });
      const result = await client.verifyMfa({
        challenge: challenge!.challenge,
        code: totpCode(secret, server.clock.now()),
      });
      expect(result.viewer.id).toBe(signedIn.id);
      expect(client.getState()).toMatchObject({ status: 'signedIn', viewer: { id: signedIn.id } });
    });

    it('reauthenticates for a fresh token of the same session, shared with the other tabs', async () => {
      const channelName = uniqueChannel();
      const { browser, client, email } = await signedInTab([Role.USER], { channelName });
      void email;
      const other = tab(browser, { channelName });
      const beforeRestore = client.getState();
      await other.restore();
      // The other tab's restore refreshed: the first tab takes its token.
      const before = await until(client, (state) => state !== beforeRestore);
      if (before.status !== 'signedIn') throw new Error('not signed in');
      const tokenBefore = await client.getAccessToken();
      // A wrong password is the server's typed error, with the field to highlight.
      await expect(client.reauthenticate({ password: 'not the password' })).rejects.toMatchObject({
        name: 'TollgateError',
        code: 'BAD_USER_INPUT',
        field: 'password',
      });
      expect(await client.getAccessToken()).toBe(tokenBefore);
      const otherBefore = other.getState();
      const viewer = await client.reauthenticate({ password: TEST_PASSWORD });
      expect(viewer).toMatchObject({ id: before.viewer.id, sessionId: before.viewer.sessionId });
      expect(await client.getAccessToken()).not.toBe(tokenBefore);
      const adopted = await until(other, (state) => state !== otherBefore && state.status === 'signedIn');
      expect(adopted).toMatchObject({ viewer: { id: before.viewer.id } });
      expect(await other.getAccessToken()).toBe(await client.getAccessToken());
    });
  });

  describe('the end of a session', () => {
    it('signs out on refresh-token reuse, clears the cache and tells the app why', async () => {
      const signedOut: string[] = [];
      let told!: () => void;
      const toldApp = new Promise<void>((resolve) => (told = resolve));
      const { browser, client, user } = await signedInTab([Role.USER], {
        onSignedOut: (reason) => {
          signedOut.push(reason);
          told();
        },
      });
      await client.apollo.query({ query: ME });
      expect(JSON.stringify(client.apollo.cache.extract())).toContain(user.id);
      // A copy of the cookie is taken (a thief), then the client rotates it.
      const stolen = browser.refreshCookie;
      server.clock.advance(PAST_EXPIRY_SECONDS);
      await client.apollo.query({ query: ME, fetchPolicy: 'network-only' });
      // Past the grace window the old token is presented again: the server ends the session.
      browser.refreshCookie = stolen;
      server.clock.advance(PAST_EXPIRY_SECONDS);
      // Ending the session cancels what was in flight (Apollo's clearStore): the query rejects.
      await expect(client.apollo.query({ query: ME, fetchPolicy: 'network-only' })).rejects.toBeDefined();
      expect(client.getState()).toEqual({ status: 'signedOut', reason: 'REFRESH_TOKEN_REUSED' });
      await toldApp;
      expect(signedOut).toEqual(['REFRESH_TOKEN_REUSED']);
      expect(JSON.stringify(client.apollo.cache.extract())).not.toContain(user.id);
      expect(await client.getAccessToken()).toBeNull();
    });

    it('signs out without a refresh when the server says the session was revoked', async () => {
      const { browser, client } = await signedInTab();
      const state = client.getState();
      if (state.status !== 'signedIn') throw new Error('not signed in');
      const admin = await server.signIn(`link-admin-${++emailCounter}@example.com`, [Role.ADMIN]);
      const revoked = await server.execute(
        RevokeSessionDocument,
        { id: state.viewer.sessionId },
        { token: admin.accessToken },
      );
      expect(revoked.data).toEqual({ revokeSession: true });
      // The query gets the server's answer, then the session ends.
      const refused = await client.apollo.query({ query: ME, fetchPolicy: 'network-only' }).catch((e: unknown) => e);
      expect(CombinedGraphQLErrors.is(refused) && refused.errors[0]?.extensions?.reason).toBe('TOKEN_REVOKED');
      expect(client.getState()).toEqual({ status: 'signedOut', reason: 'TOKEN_REVOKED' });
      expect(browser.count('TollgateRefresh')).toBe(0);
    });

    it('logs out: the server ends the session and clears the cookie, the cache is emptied', async () => {
      const { browser, client, user } = await signedInTab();
      await client.apollo.query({ query: ME });
      const token = await client.getAccessToken();
      await client.logout();
      expect(client.getState()).toEqual({ status: 'signedOut', reason: 'LOGGED_OUT' });
      expect(browser.refreshCookie).toBeUndefined();
      expect(JSON.stringify(client.apollo.cache.extract())).not.toContain(user.id);
      const after = await server.execute(
        gql`
          query {
            me {
              id
            }
          }
        `,
        {},
        { token: token! },
      );
      expect(after.status).toBe(401);
    });

    it('keeps the session when the logout cannot reach the server', async () => {
      const { browser, client } = await signedInTab();
      const offline = tab(browser, {
        fetch: async (input, init) => {
          if (String(init?.body).includes('logout')) throw new TypeError('fetch failed');
          return browser.fetch(input, init);
        },
      });
      await offline.restore();
      await expect(offline.logout()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
      expect(offline.getState().status).toBe('signedIn');
      expect(client.getState().status).toBe('signedIn');
    });

    it('logs out everywhere but here with logoutAll(true)', async () => {
      const { browser, client, email } = await signedInTab();
      const other = tab(new TestBrowser());
      await other.login(email, TEST_PASSWORD);
      await expect(client.logoutAll(true)).resolves.toBe(1);
      expect(client.getState().status).toBe('signedIn');
      await expect(other.apollo.query({ query: ME, fetchPolicy: 'network-only' })).rejects.toBeDefined();
      expect(other.getState()).toEqual({ status: 'signedOut', reason: 'TOKEN_REVOKED' });
      expect(browser.refreshCookie).toEqual(expect.any(String));
    });
  });
});
