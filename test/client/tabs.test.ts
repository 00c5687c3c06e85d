import { gql, type TypedDocumentNode } from '@apollo/client';
import { Role } from '../../src/auth/roles';
import { SetUserRolesDocument } from '../generated/graphql';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../helpers/test-server';
import type { TollgateClient, TollgateClientOptions } from '../../client/src';
import { TestBrowser } from './helpers/browser';
import { InProcessLocks, openTab, uniqueChannel, until } from './helpers/tabs';

// Tabs are Tollgate clients on one cookie jar (one browser) and one BroadcastChannel name.
// SQLite only: what is tested is the client, the database changes nothing here.
const ACCESS_TTL_SECONDS = 900;
const PAST_EXPIRY_SECONDS = ACCESS_TTL_SECONDS + 60;

const ME: TypedDocumentNode<{ me: { id: string; roles: string[] | null } | null }> = gql`
  query TabsMe {
    me {
      id
      roles
    }
  }
`;

describe('tabs of one browser share one session', () => {
  let server: TestServer;
  let opened: TollgateClient[];
  let counter = 0;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { ACCESS_TOKEN_TTL: `${ACCESS_TTL_SECONDS}s` } });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    opened = [];
  });
  afterEach(() => {
    for (const tab of opened) tab.dispose();
  });

  /** A browser with two tabs on one channel, the first signed in as a new user. */
  async function twoTabs(options: Partial<TollgateClientOptions> = {}, secondOptions = options) {
    counter += 1;
    const email = `tabs-${counter}@example.com`;
    const user = await server.createUser(email, [Role.USER]);
    const browser = new TestBrowser();
    const channelName = uniqueChannel();
    const [first, second] = [options, secondOptions].map((tabOptions) => {
      const tab = openTab(browser, server.url, { channelName, ...tabOptions });
      opened.push(tab);
      return tab;
    }) as [TollgateClient, TollgateClient];
    await first.login(email, TEST_PASSWORD);
    await until(second, (state) => state.status === 'signedIn');
    return { browser, first, second, user, channelName };
  }

  it('a login in one tab signs the other in, without a request of its own', async () => {
    const { browser, second, user } = await twoTabs();
    expect(second.getState()).toMatchObject({ status: 'signedIn', viewer: { id: user.id } });
    expect(browser.requests.map((request) => request.operationName)).toEqual(['TollgateLogin']);
  });

  it('a refresh in one tab reaches the other: new roles after a role change, one refresh in all', async () => {
    const { browser, first, second, user } = await twoTabs();
    const admin = await server.signIn(`tabs-admin-${++counter}@example.com`, [Role.ADMIN]);
    await server.execute(SetUserRolesDocument, { userId: user.id, roles: [Role.EDITOR] }, { token: admin.accessToken });
    await first.apollo.query({ query: ME, fetchPolicy: 'network-only' });
    const state = await until(second, (s) => s.status === 'signedIn' && s.viewer.roles.includes('EDITOR'));
    expect(state).toMatchObject({ status: 'signedIn', viewer: { id: user.id, roles: ['EDITOR'] } });
    // The second tab's next request carries the new token: no TOKEN_STALE, no refresh of its own.
    await expect(second.apollo.query({ query: ME, fetchPolicy: 'network-only' })).resolves.toMatchObject({
      data: { me: { roles: ['EDITOR'] } },
    });
    expect(browser.count('TollgateRefresh')).toBe(1);
  });

  it('two tabs refreshing at the same moment without Web Locks both stay signed in (grace window)', async () => {
    const { browser, first, second, user } = await twoTabs({ locks: null });
    server.clock.advance(PAST_EXPIRY_SECONDS);
    const answers = await Promise.all([
      first.apollo.query({ query: ME, fetchPolicy: 'network-only' }),
      second.apollo.query({ query: ME, fetchPolicy: 'network-only' }),
    ]);
    expect(answers.map((answer) => answer.data?.me?.id)).toEqual([user.id, user.id]);
    expect([first.getState().status, second.getState().status]).toEqual(['signedIn', 'signedIn']);
    expect(browser.count('TollgateRefresh')).toBeGreaterThanOrEqual(1);
    expect(browser.count('TollgateRefresh')).toBeLessThanOrEqual(2);
    // And the session goes on: the cookie both ended with still refreshes.
    server.clock.advance(PAST_EXPIRY_SECONDS);
    await expect(first.apollo.query({ query: ME, fetchPolicy: 'network-only' })).resolves.toBeDefined();
    expect(first.getState().status).toBe('signedIn');
  });

  it('two tabs refreshing at the same moment with Web Locks take turns: never one cookie presented twice', async () => {
    const locks = new InProcessLocks();
    const { browser, first, second, user } = await twoTabs({ locks });
    server.clock.advance(PAST_EXPIRY_SECONDS);
    const answers = await Promise.all([
      first.apollo.query({ query: ME, fetchPolicy: 'network-only' }),
      second.apollo.query({ query: ME, fetchPolicy: 'network-only' }),
    ]);
    expect(answers.map((answer) => answer.data?.me?.id)).toEqual([user.id, user.id]);
    expect([first.getState().status, second.getState().status]).toEqual(['signedIn', 'signedIn']);
    expect(locks.granted).toBeGreaterThanOrEqual(1);
    expect(browser.maxConcurrentRefreshes).toBe(1);
    const cookiesPresented = browser.requests
      .filter((request) => request.operationName === 'TollgateRefresh')
      .map((request) => request.cookie);
    expect(new Set(cookiesPresented).size).toBe(cookiesPresented.length);
  });

  it('a tab that waited for the lock takes the token another tab has just sent instead of refreshing', async () => {
    const locks = new InProcessLocks();
    // The first tab has no Web Locks, so it refreshes while the test holds the second tab's lock.
    const { browser, first, second, user, channelName } = await twoTabs({ locks: null }, { locks });
    let release!: () => void;
    void locks.request(`${channelName}:refresh`, () => new Promise<void>((resolve) => (release = resolve)));
    const before = second.getState();
    server.clock.advance(PAST_EXPIRY_SECONDS);
    const secondWaits = locks.nextRequest();
    const secondAnswer = second.apollo.query({ query: ME, fetchPolicy: 'network-only' });
    await secondWaits;
    await first.apollo.query({ query: ME, fetchPolicy: 'network-only' });
    await until(second, (state) => state !== before && state.status === 'signedIn');
    release();
    await expect(secondAnswer).resolves.toMatchObject({ data: { me: { id: user.id } } });
    expect(browser.count('TollgateRefresh')).toBe(1);
  });

  it('a logout in one tab signs the other out and empties its cache', async () => {
    let told!: () => void;
    const toldSecond = new Promise<void>((resolve) => (told = resolve));
    const { first, second, user } = await twoTabs({}, { onSignedOut: () => told() });
    await second.apollo.query({ query: ME });
    expect(JSON.stringify(second.apollo.cache.extract())).toContain(user.id);
    await first.logout();
    const state = await until(second, (s) => s.status === 'signedOut');
    expect(state).toEqual({ status: 'signedOut', reason: 'LOGGED_OUT' });
    await toldSecond;
    expect(JSON.stringify(second.apollo.cache.extract())).not.toContain(user.id);
    expect(await second.getAccessToken()).toBeNull();
  });

  it('a session ended by reuse in one tab ends in the other', async () => {
    const { browser, first, second } = await twoTabs();
    const stolen = browser.refreshCookie;
    server.clock.advance(PAST_EXPIRY_SECONDS);
    await first.apollo.query({ query: ME, fetchPolicy: 'network-only' });
    browser.refreshCookie = stolen;
    server.clock.advance(PAST_EXPIRY_SECONDS);
    await first.apollo.query({ query: ME, fetchPolicy: 'network-only' }).catch(() => undefined);
    expect(first.getState()).toEqual({ status: 'signedOut', reason: 'REFRESH_TOKEN_REUSED' });
    await expect(until(second, (s) => s.status === 'signedOut')).resolves.toEqual({
      status: 'signedOut',
      reason: 'REFRESH_TOKEN_REUSED',
    });
  });
});
