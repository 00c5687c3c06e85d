import { gql, type TypedDocumentNode } from '@apollo/client';
import { Role } from '../../src/auth/roles';
import { RevokeSessionDocument } from '../generated/graphql';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../helpers/test-server';
import type { TollgateClient } from '../../client/src';
import { TestBrowser } from './helpers/browser';
import { openTab, uniqueChannel } from './helpers/tabs';

// A logout sends the access token. When that token has expired and cannot be renewed for a
// reason that ends nothing (429, 503, network down), the server refuses the logout with
// TOKEN_EXPIRED while the session and its refresh cookie stay alive: the client must say so
// and stay signed in, not show the login page over a session a reload would bring back.
const ACCESS_TTL_SECONDS = 900;
// Past the token's expiry and the 30 s of clock skew the server allows.
const PAST_EXPIRY_SECONDS = ACCESS_TTL_SECONDS + 60;

const MY_SESSIONS: TypedDocumentNode<{ mySessions: Array<{ id: string }> }> = gql`
  query LogoutProbeSessions {
    mySessions {
      id
    }
  }
`;

/** Whether the server still holds `sessionId` open, asked with a second login of the same user. */
async function sessionIsOpen(server: TestServer, email: string, sessionId: string): Promise<boolean> {
  const login = await server.post({
    query: `mutation { login(email: "${email}", password: "${TEST_PASSWORD}") { accessToken } }`,
  });
  const { data } = (await login.json()) as { data: { login: { accessToken: string } } };
  const sessions = await server.execute(MY_SESSIONS, {}, { token: data.login.accessToken });
  return sessions.data!.mySessions.some((session) => session.id === sessionId);
}

function sessionIdOf(client: TollgateClient): string {
  const state = client.getState();
  if (state.status !== 'signedIn') throw new Error('not signed in');
  return state.viewer.sessionId;
}

type Logout = (client: TollgateClient) => Promise<unknown>;
const logouts: Array<[string, Logout]> = [
  ['logout()', (client) => client.logout()],
  ['logoutAll()', (client) => client.logoutAll()],
];

describe('a logout whose expired token cannot be renewed', () => {
  let tabs: TollgateClient[] = [];
  let emailCounter = 0;
  afterEach(() => {
    for (const tab of tabs) tab.dispose();
    tabs = [];
  });

  async function signedInTab(server: TestServer, fetchImpl?: (browser: TestBrowser) => typeof fetch) {
    emailCounter += 1;
    const email = `logout-${emailCounter}@example.com`;
    await server.createUser(email, [Role.USER]);
    const browser = new TestBrowser();
    const client = openTab(browser, server.url, {
      channelName: uniqueChannel(),
      // The client's clock is the server's: the test moves both past the token's expiry.
      now: () => server.clock.now(),
      ...(fetchImpl ? { fetch: fetchImpl(browser) } : {}),
    });
    tabs.push(client);
    await client.login(email, TEST_PASSWORD);
    return { browser, client, email };
  }

  describe('because the refresh is rate-limited (429)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer('sqlite', {
        env: { ACCESS_TOKEN_TTL: `${ACCESS_TTL_SECONDS}s`, REFRESH_MAX_PER_IP: '1', REFRESH_WINDOW: '3600' },
      });
    });
    afterAll(async () => {
      await server.close();
    });

    /**
     * Spends this address's refresh budget (every client of the test is 127.0.0.1) with
     * refreshes of another session: only a refresh that works keeps its place in the budget.
     */
    async function exhaustRefreshBudget(): Promise<void> {
      let { refreshToken } = await server.signIn(`logout-other-${++emailCounter}@example.com`);
      for (let attempt = 0; attempt < 5; attempt++) {
        const response = await server.post({
          query: `mutation { refresh(refreshToken: "${refreshToken}") { refreshToken } }`,
        });
        if (response.status === 429) return;
        const body = (await response.json()) as { data: { refresh: { refreshToken: string } } };
        refreshToken = body.data.refresh.refreshToken;
      }
      throw new Error('the refresh limiter never answered 429');
    }

    it.each(logouts)(
      '%s rejects with the wait time and stays signed in; the session stays open',
      async (_name, run) => {
        const { browser, client, email } = await signedInTab(server);
        const sessionId = sessionIdOf(client);
        server.clock.advance(PAST_EXPIRY_SECONDS);
        await exhaustRefreshBudget();

        await expect(run(client)).rejects.toMatchObject({
          name: 'TollgateError',
          code: 'TOO_MANY_REQUESTS',
          retryAfter: expect.any(Number),
        });
        expect(client.getState().status).toBe('signedIn');
        expect(browser.refreshCookie).toEqual(expect.any(String));
        expect(await sessionIsOpen(server, email, sessionId)).toBe(true);
      },
    );
  });

  describe('because the server or the network is down (503, no answer)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer('sqlite', { env: { ACCESS_TOKEN_TTL: `${ACCESS_TTL_SECONDS}s` } });
    });
    afterAll(async () => {
      await server.close();
    });

    const refreshFailures: Array<[string, string, () => Promise<Response>]> = [
      ['503', 'SERVICE_UNAVAILABLE', async () => new Response('Service Unavailable', { status: 503 })],
      [
        'network down',
        'NETWORK_ERROR',
        () => {
          throw new TypeError('fetch failed');
        },
      ],
    ];

    describe.each(refreshFailures)('a refresh answered %s', (_name, code, failure) => {
      let refreshFails = true;
      beforeEach(() => {
        refreshFails = true;
      });
      const failingRefresh =
        (browser: TestBrowser): typeof fetch =>
        async (input, init) => {
          if (refreshFails && String(init?.body).includes('TollgateRefresh')) return failure();
          return browser.fetch(input, init);
        };

      it.each(logouts)(
        `%s rejects with ${code} and stays signed in, then works once the server is back`,
        async (_label, run) => {
          const { browser, client, email } = await signedInTab(server, failingRefresh);
          const sessionId = sessionIdOf(client);
          server.clock.advance(PAST_EXPIRY_SECONDS);

          await expect(run(client)).rejects.toMatchObject({ name: 'TollgateError', code });
          expect(client.getState().status).toBe('signedIn');
          expect(browser.refreshCookie).toEqual(expect.any(String));
          expect(await sessionIsOpen(server, email, sessionId)).toBe(true);

          // Trying again once the refresh works ends the session for real.
          refreshFails = false;
          await run(client);
          expect(client.getState()).toEqual({ status: 'signedOut', reason: 'LOGGED_OUT' });
          expect(await sessionIsOpen(server, email, sessionId)).toBe(false);
        },
      );
    });

    it('still signs out when the session had truly ended: revoked elsewhere', async () => {
      const { client } = await signedInTab(server);
      const admin = await server.signIn(`logout-admin-${++emailCounter}@example.com`, [Role.ADMIN]);
      await server.execute(RevokeSessionDocument, { id: sessionIdOf(client) }, { token: admin.accessToken });
      await expect(client.logout()).resolves.toBeUndefined();
      expect(client.getState()).toEqual({ status: 'signedOut', reason: 'LOGGED_OUT' });
    });

    it('still signs out when the session had truly ended: the refresh finds the refresh token gone', async () => {
      const { browser, client } = await signedInTab(server);
      browser.refreshCookie = 'not-a-refresh-token';
      server.clock.advance(PAST_EXPIRY_SECONDS);
      await expect(client.logout()).resolves.toBeUndefined();
      expect(client.getState()).toEqual({ status: 'signedOut', reason: 'LOGGED_OUT' });
    });
  });
});
