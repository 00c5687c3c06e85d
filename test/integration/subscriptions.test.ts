import type { IncomingMessage } from 'node:http';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { ServiceUnavailableError } from '../../src/errors/domain-errors';
import { ConnectionRefused, confirmNotRevoked, type ConnectionAuthDeps } from '../../src/subscriptions/connection-auth';
import { createLocalEventBus } from '../../src/events/event-bus';
import { eventStream } from '../../src/events/event-stream';
import { clientAddress, originAllowed, requestPath } from '../../src/subscriptions/upgrade-request';
import { refusedFromMs } from '../../src/auth/tokens';
import { Role } from '../../src/auth/roles';
import { MODULES } from '../../src/modules';
import { SUBSCRIPTIONS_OVER_HTTP_MESSAGE } from '../../src/graphql/input-values';
import { bulletinsModule } from '../fixtures/bulletins/bulletins.module';
import {
  Subscriber,
  handshakeStatus,
  rawSocket,
  within,
  type Feed,
  type SubscriberOptions,
} from '../fixtures/subscription-client';
import {
  CreateArticleDocument,
  LogoutDocument,
  PublishArticleDocument,
  SetArticleReviewNotesDocument,
  SubmitArticleDocument,
  UpdateArticleDocument,
  RefreshDocument,
  SetUserDisabledDocument,
  SetUserRolesDocument,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { startTestServer, type SignedIn, type TestServer } from '../helpers/test-server';

const POSTED = 'subscription { bulletinPosted { id title memo published } }';
const POSTED_SIGNED_IN = 'subscription { bulletinPostedSignedIn { id } }';
const POST = `mutation Post($title: String!, $memo: String!, $published: Boolean!) {
  postBulletin(title: $title, memo: $memo, published: $published) { id }
}`;

const LIMITS = {
  WS_MAX_CONNECTIONS_PER_USER: '3',
  WS_MAX_CONNECTIONS_PER_IP: '8',
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
  WS_CONNECTION_INIT_TIMEOUT: '1s',
  WS_MAX_MESSAGE_BYTES: '4096',
  CORS_ORIGINS: 'https://app.example.com',
};

describeEachDatabase('GraphQL subscriptions over WebSocket', (dialect) => {
  let server: TestServer;
  let opened: Subscriber[] = [];
  let n = 0;

  beforeAll(async () => {
    server = await startTestServer(dialect, { modules: [...MODULES, bulletinsModule], env: LIMITS });
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(async () => {
    await Promise.all(opened.map((subscriber) => subscriber.dispose()));
    opened = [];
    // The server counts a socket until its own side has closed: wait, so limits start from zero.
    for (let i = 0; i < 200 && server.app.http.subscriptions.openConnections > 0; i++) await sleep(10);
  });

  const connect = (options: SubscriberOptions = {}) => {
    const subscriber = new Subscriber(server.url, options);
    opened.push(subscriber);
    return subscriber;
  };
  const signIn = (roles?: readonly Role[]) => server.signIn(`user${++n}-${Date.now()}@example.com`, roles);
  const post = async (author: SignedIn, title: string, published: boolean) => {
    const res = await server.post(
      { query: POST, variables: { title, memo: `memo of ${title}`, published } },
      {
        authorization: `Bearer ${author.accessToken}`,
      },
    );
    const body = (await res.json()) as { data: { postBulletin: { id: string } } };
    return body.data.postBulletin.id;
  };
  /** Subscribed once the server has it: a first event is delivered. */
  const live = async (subscriber: Subscriber, query = POSTED, author?: SignedIn): Promise<Feed> => {
    expect(await subscriber.acknowledged).toBe(true);
    const feed = subscriber.subscribe(query);
    const poster = author ?? (await signIn());
    // The subscribe message and the mutation travel on different connections: repeat until heard.
    for (let i = 0; i < 50 && feed.pending === 0 && !feed.ended; i++) {
      await post(poster, `warm-up ${i}`, true);
      await sleep(20);
    }
    while (feed.pending > 0) await feed.next();
    feed.ignore = (result) => JSON.stringify(result).includes('warm-up');
    return feed;
  };

  describe('authentication in connection_init', () => {
    it('accepts a bearer token and delivers to it what it may read', async () => {
      const reader = await signIn();
      const feed = await live(connect({ token: reader.accessToken }));
      const author = await signIn();
      const id = await post(author, 'hello', true);
      const result = await feed.next();
      expect(result.data).toEqual({ bulletinPosted: { id, title: 'hello', memo: null, published: true } });
      expect(result.errors).toEqual([
        expect.objectContaining({
          path: ['bulletinPosted', 'memo'],
          extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
        }),
      ]);
    });

    it('accepts an anonymous connection for public fields only', async () => {
      const anonymous = connect();
      const feed = await live(anonymous);
      const id = await post(await signIn(), 'for everyone', true);
      expect((await feed.next()).data).toMatchObject({ bulletinPosted: { id, memo: null } });
      const guarded = anonymous.subscribe(POSTED_SIGNED_IN);
      const refused = await guarded.next();
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('closes with 4401 and a reason whatever proves nothing, and acknowledges none of it', async () => {
      const user = await signIn();
      const forged = jwt.sign({ sub: user.id }, 'not-our-secret-not-our-secret-not-our-secret');
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ authorization: 'Bearer not-a-token' }, 'TOKEN_INVALID'],
        [{ authorization: `Bearer ${forged}` }, 'TOKEN_INVALID'],
        [{ authorization: `Basic ${user.accessToken}` }, 'TOKEN_INVALID'],
        [{ authorization: user.accessToken }, 'TOKEN_INVALID'],
        [{ authorization: 42 }, 'TOKEN_INVALID'],
        [{ authorization: null }, 'TOKEN_INVALID'],
      ];
      for (const [connectionParams, reason] of cases) {
        const subscriber = connect({ connectionParams });
        expect(await subscriber.acknowledged).toBe(false);
        expect(await subscriber.closed).toEqual({ code: 4401, reason });
      }
    });

    it('never reads a token from the URL', async () => {
      const user = await signIn();
      const subscriber = new Subscriber(
        `${server.url}?token=${user.accessToken}&authorization=Bearer%20${user.accessToken}`,
      );
      opened.push(subscriber);
      expect(await subscriber.acknowledged).toBe(true);
      const guarded = subscriber.subscribe(POSTED_SIGNED_IN);
      expect((await guarded.next()).errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  describe('operations', () => {
    it('refuses a subscription sent over HTTP, with a clear validation error', async () => {
      const res = await server.post({ query: POSTED });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        errors: [{ message: SUBSCRIPTIONS_OVER_HTTP_MESSAGE, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
      });
    });

    it('refuses queries and mutations over WebSocket, and unparsable or invalid documents', async () => {
      const subscriber = connect();
      expect(await subscriber.acknowledged).toBe(true);
      const cases: Array<[string, string]> = [
        ['{ me { id } }', 'GRAPHQL_VALIDATION_FAILED'],
        ['mutation { logout }', 'GRAPHQL_VALIDATION_FAILED'],
        ['subscription {', 'GRAPHQL_PARSE_FAILED'],
        ['subscription { noSuchField }', 'GRAPHQL_VALIDATION_FAILED'],
      ];
      for (const [query, code] of cases) {
        const feed = subscriber.subscribe(query);
        const { error } = await feed.whenEnded();
        expect((error as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(code);
      }
    });

    it('refuses NUL characters in variables, as over HTTP', async () => {
      const subscriber = connect();
      expect(await subscriber.acknowledged).toBe(true);
      const feed = subscriber.subscribe('subscription ($id: ID!) { articleChanged(id: $id) { id } }', {
        id: 'a\u0000b',
      });
      const { error } = await feed.whenEnded();
      expect((error as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe('BAD_USER_INPUT');
    });

    it('applies the same document limits as HTTP to subscription documents', async () => {
      const subscriber = connect();
      expect(await subscriber.acknowledged).toBe(true);
      const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ');
      const { error } = await subscriber.subscribe(`subscription { bulletinPosted { ${aliases} } }`).whenEnded();
      expect((error as Array<{ extensions: Record<string, unknown> }>)[0]!.extensions).toMatchObject({
        code: 'GRAPHQL_VALIDATION_FAILED',
        limit: 'maxAliases',
        max: 15,
      });
    });
  });

  describe('what each subscriber receives', () => {
    it('never delivers an unpublished bulletin to a stranger; its writer and EDITORs get it, the memo included', async () => {
      const author = await signIn();
      const stranger = await signIn();
      const editor = await signIn([Role.EDITOR]);
      const feeds = {
        author: await live(connect({ token: author.accessToken }), POSTED, author),
        stranger: await live(connect({ token: stranger.accessToken }), POSTED, author),
        editor: await live(connect({ token: editor.accessToken }), POSTED, author),
        anonymous: await live(connect(), POSTED, author),
      };
      const draft = await post(author, 'draft', false);
      const published = await post(author, 'published', true);
      for (const who of ['author', 'editor'] as const) {
        const first = await feeds[who].next();
        expect(first.data).toEqual({
          bulletinPosted: { id: draft, title: 'draft', memo: 'memo of draft', published: false },
        });
        expect(first.errors).toBeUndefined();
        expect((await feeds[who].next()).data).toMatchObject({ bulletinPosted: { id: published } });
      }
      for (const who of ['stranger', 'anonymous'] as const) {
        // Events arrive in order: the first one a stranger gets is the one published after the draft.
        const first = await feeds[who].next();
        expect(first.data).toEqual({
          bulletinPosted: { id: published, title: 'published', memo: null, published: true },
        });
        expect(JSON.stringify(first)).not.toContain(draft);
      }
    });
  });

  describe('closing when access ends', () => {
    it('closes with 4403 TOKEN_REVOKED within a second of a logout, and refuses the same token again with 4401', async () => {
      const user = await signIn();
      const subscriber = connect({ token: user.accessToken });
      await live(subscriber);
      const logout = await server.execute(LogoutDocument, {}, { token: user.accessToken });
      expect(logout.errors).toBeUndefined();
      expect(await within(subscriber.closed, 1000)).toEqual({ code: 4403, reason: 'TOKEN_REVOKED' });
      const again = connect({ token: user.accessToken });
      expect(await again.closed).toEqual({ code: 4401, reason: 'TOKEN_REVOKED' });
    });

    it('counts open sockets and closes by code in its metrics', async () => {
      const metric = async (name: string) => (await server.app.metrics.registry.getSingleMetricAsString(name)) ?? '';
      const closesOf = async (code: number) => {
        const line = (await metric('tollgate_websocket_closes_total'))
          .split('\n')
          .find((l) => l.includes(`code="${code}"`));
        return line ? Number(line.split(' ').pop()) : 0;
      };
      const before = await closesOf(4403);
      const user = await signIn();
      const subscriber = connect({ token: user.accessToken });
      await live(subscriber);
      expect(await metric('tollgate_websocket_connections')).toMatch(/^tollgate_websocket_connections [1-9]/m);
      await server.execute(LogoutDocument, {}, { token: user.accessToken });
      await subscriber.closed;
      for (let i = 0; i < 200 && (await closesOf(4403)) === before; i++) await sleep(10);
      expect(await closesOf(4403)).toBe(before + 1);
    });

    it('closes with 4403 TOKEN_STALE when the user is demoted, and refuses the stale token again', async () => {
      const admin = await signIn([Role.ADMIN]);
      const editor = await signIn([Role.EDITOR]);
      const subscriber = connect({ token: editor.accessToken });
      await live(subscriber);
      const demoted = await server.execute(
        SetUserRolesDocument,
        { userId: editor.id, roles: ['USER'] },
        { token: admin.accessToken },
      );
      expect(demoted.errors).toBeUndefined();
      expect(await within(subscriber.closed, 1000)).toEqual({ code: 4403, reason: 'TOKEN_STALE' });
      expect(await connect({ token: editor.accessToken }).closed).toEqual({ code: 4401, reason: 'TOKEN_STALE' });
    });

    it('closes with 4403 TOKEN_REVOKED when the user is disabled', async () => {
      const admin = await signIn([Role.ADMIN]);
      const user = await signIn();
      const subscriber = connect({ token: user.accessToken });
      await live(subscriber);
      await server.execute(SetUserDisabledDocument, { userId: user.id, disabled: true }, { token: admin.accessToken });
      expect(await within(subscriber.closed, 1000)).toEqual({ code: 4403, reason: 'TOKEN_REVOKED' });
    });

    it('keeps other users’ and other sessions’ sockets open', async () => {
      const leaving = await signIn();
      const staying = await signIn();
      const other = connect({ token: staying.accessToken });
      const feed = await live(other);
      const subscriber = connect({ token: leaving.accessToken });
      await live(subscriber);
      await server.execute(LogoutDocument, {}, { token: leaving.accessToken });
      await subscriber.closed;
      const id = await post(staying, 'still here', true);
      expect((await feed.next()).data).toMatchObject({ bulletinPosted: { id } });
    });

    it('closes at the first refused millisecond of its token, not one before (4403 TOKEN_EXPIRED)', async () => {
      const user = await signIn();
      const { exp } = jwt.decode(user.accessToken) as { exp: number };
      const subscriber = connect({ token: user.accessToken });
      const feed = await live(subscriber);
      const lastAccepted = refusedFromMs(exp) - 1;
      const wait = lastAccepted - server.clock.now();
      // Whole seconds, then the milliseconds: each step is exact in floating point.
      server.clock.advance(Math.floor(wait / 1000));
      server.clock.advance((wait % 1000) / 1000);
      expect(server.clock.now()).toBe(lastAccepted);
      expect(server.app.http.subscriptions.closeExpired()).toBe(0);
      const id = await post(await signIn(), 'still open', true);
      expect((await feed.next()).data).toMatchObject({ bulletinPosted: { id } });
      server.clock.advance(0.001);
      // The server's own timer (at most a second), not a call from the test.
      expect(await within(subscriber.closed, 5000)).toEqual({ code: 4403, reason: 'TOKEN_EXPIRED' });
      expect(await connect({ token: user.accessToken }).closed).toEqual({ code: 4401, reason: 'TOKEN_EXPIRED' });
    });

    it('lets a client reconnect with a refreshed token (connectionParams as a function, and retry)', async () => {
      const admin = await signIn([Role.ADMIN]);
      const user = await signIn();
      let token = user.accessToken;
      const subscriber = connect({ token: () => token, retry: true });
      await live(subscriber);
      await server.execute(SetUserRolesDocument, { userId: user.id, roles: ['EDITOR'] }, { token: admin.accessToken });
      const refreshed = await server.execute(RefreshDocument, { refreshToken: user.refreshToken });
      token = refreshed.data!.refresh.accessToken;
      expect(await subscriber.closed).toEqual({ code: 4403, reason: 'TOKEN_STALE' });
      for (let i = 0; i < 200 && subscriber.connections < 2; i++) await sleep(10);
      expect(subscriber.connections).toBe(2);
      const editorOnly = await live(subscriber);
      const draft = await post(await signIn(), 'a draft an EDITOR reads', false);
      expect((await editorOnly.next()).data).toMatchObject({ bulletinPosted: { id: draft, published: false } });
    });
  });

  describe('articles', () => {
    const PUBLISHED_ARTICLES = 'subscription { articlePublished { id title status reviewNotes } }';
    const CHANGED_ARTICLE =
      'subscription Changed($id: ID!) { articleChanged(id: $id) { id title status reviewNotes } }';
    let author: SignedIn;
    let editor: SignedIn;
    let stranger: SignedIn;

    beforeAll(async () => {
      author = await signIn();
      editor = await signIn([Role.EDITOR]);
      stranger = await signIn();
    });

    const write = async (title: string) => {
      const created = await server.execute(
        CreateArticleDocument,
        { input: { title, body: `${title}, the body` } },
        { token: author.accessToken },
      );
      return created.data!.createArticle.id;
    };
    const publish = async (id: string) => {
      const submitted = await server.execute(SubmitArticleDocument, { id }, { token: author.accessToken });
      const { revision } = submitted.data!.submitArticle;
      const published = await server.execute(PublishArticleDocument, { id, revision }, { token: editor.accessToken });
      expect(published.errors).toBeUndefined();
    };
    /** Subscribed once a first article published is delivered (warm-ups are then ignored). */
    const livePublished = async (subscriber: Subscriber, also?: () => Feed): Promise<Feed> => {
      expect(await subscriber.acknowledged).toBe(true);
      // A subscription sent first on the same socket is listening once this one is.
      also?.();
      const feed = subscriber.subscribe(PUBLISHED_ARTICLES);
      for (let i = 0; i < 50 && feed.pending === 0; i++) {
        await publish(await write(`warm-up ${i}`));
        await sleep(20);
      }
      while (feed.pending > 0) await feed.next();
      feed.ignore = (result) => JSON.stringify(result).includes('warm-up');
      return feed;
    };

    it('articlePublished reaches everyone; reviewNotes only its author and EDITORs', async () => {
      const feeds = {
        author: await livePublished(connect({ token: author.accessToken })),
        editor: await livePublished(connect({ token: editor.accessToken })),
        stranger: await livePublished(connect({ token: stranger.accessToken })),
        anonymous: await livePublished(connect()),
      };
      const id = await write('Out today');
      await server.execute(
        SetArticleReviewNotesDocument,
        { id, reviewNotes: 'tighten the intro' },
        {
          token: editor.accessToken,
        },
      );
      await publish(id);
      for (const who of ['author', 'editor'] as const) {
        const result = await feeds[who].next();
        expect(result).toEqual({
          data: { articlePublished: { id, title: 'Out today', status: 'PUBLISHED', reviewNotes: 'tighten the intro' } },
        });
      }
      for (const [who, code] of [
        ['stranger', 'FORBIDDEN'],
        ['anonymous', 'UNAUTHENTICATED'],
      ] as const) {
        const result = await feeds[who].next();
        expect(result.data).toEqual({
          articlePublished: { id, title: 'Out today', status: 'PUBLISHED', reviewNotes: null },
        });
        expect(result.errors).toEqual([
          expect.objectContaining({
            path: ['articlePublished', 'reviewNotes'],
            extensions: expect.objectContaining({ code }),
          }),
        ]);
        expect(JSON.stringify(result)).not.toContain('tighten the intro');
      }
    });

    it('articleChanged(id) never delivers a draft to a stranger, and delivers it once it is published', async () => {
      const id = await write('Work in progress');
      const watchers = {
        stranger: connect({ token: stranger.accessToken }),
        anonymous: connect(),
        editor: connect({ token: editor.accessToken }),
        author: connect({ token: author.accessToken }),
      };
      const changed = {} as Record<keyof typeof watchers, Feed>;
      for (const who of Object.keys(watchers) as Array<keyof typeof watchers>) {
        await livePublished(watchers[who], () => (changed[who] = watchers[who].subscribe(CHANGED_ARTICLE, { id })));
      }
      await server.execute(
        UpdateArticleDocument,
        { id, input: { title: 'Still a draft' } },
        { token: author.accessToken },
      );
      for (const who of ['author', 'editor'] as const) {
        expect((await changed[who].next()).data).toEqual({
          articleChanged: { id, title: 'Still a draft', status: 'DRAFT', reviewNotes: null },
        });
      }
      await publish(id);
      for (const who of ['stranger', 'anonymous'] as const) {
        // In order: the first change a stranger hears of is the publication.
        const first = await changed[who].next();
        expect(first.data).toEqual({
          articleChanged: { id, title: 'Still a draft', status: 'PUBLISHED', reviewNotes: null },
        });
      }
    });
  });

  describe('limits', () => {
    it(`refuses a user's connection past WS_MAX_CONNECTIONS_PER_USER with 1008`, async () => {
      const user = await signIn();
      for (let i = 0; i < 3; i++) expect(await connect({ token: user.accessToken }).acknowledged).toBe(true);
      const over = connect({ token: user.accessToken });
      expect(await over.closed).toEqual({ code: 1008, reason: 'TOO_MANY_CONNECTIONS' });
      // Another user is not affected.
      expect(await connect({ token: (await signIn()).accessToken }).acknowledged).toBe(true);
    });

    it('admits exactly WS_MAX_CONNECTIONS_PER_USER of 10 simultaneous connections of one user', async () => {
      const user = await signIn();
      const subscribers = Array.from({ length: 10 }, () => connect({ token: user.accessToken }));
      const acknowledged = await Promise.all(subscribers.map((subscriber) => subscriber.acknowledged));
      expect(acknowledged.filter(Boolean)).toHaveLength(3);
      const refused = subscribers.filter((_, i) => !acknowledged[i]);
      for (const subscriber of refused) {
        expect(await subscriber.closed).toEqual({ code: 1008, reason: 'TOO_MANY_CONNECTIONS' });
      }
    });

    it('admits exactly WS_MAX_CONNECTIONS_PER_IP of 12 simultaneous connections from one address', async () => {
      const subscribers = Array.from({ length: 12 }, () => connect());
      const acknowledged = await Promise.all(subscribers.map((subscriber) => subscriber.acknowledged));
      expect(acknowledged.filter(Boolean)).toHaveLength(8);
    });

    it('refuses a connection past WS_MAX_CONNECTIONS_PER_IP with 1008, anonymous or not', async () => {
      for (let i = 0; i < 8; i++) expect(await connect().acknowledged).toBe(true);
      expect(await connect().closed).toEqual({ code: 1008, reason: 'TOO_MANY_CONNECTIONS' });
      expect(await connect({ token: (await signIn()).accessToken }).closed).toEqual({
        code: 1008,
        reason: 'TOO_MANY_CONNECTIONS',
      });
    });

    it('refuses a subscription past WS_MAX_SUBSCRIPTIONS_PER_CONNECTION, and takes one once another completes', async () => {
      const subscriber = connect();
      const first = await live(subscriber);
      await live(subscriber);
      const over = subscriber.subscribe(POSTED);
      const { error } = await over.whenEnded();
      expect((error as Array<{ extensions: Record<string, unknown> }>)[0]!.extensions).toEqual({
        code: 'TOO_MANY_REQUESTS',
        limit: 'maxSubscriptionsPerConnection',
        max: 2,
      });
      first.unsubscribe();
      await live(subscriber);
    });

    it('closes a socket that sends no connection_init within WS_CONNECTION_INIT_TIMEOUT with 4408', async () => {
      const { opened: open, closed } = rawSocket(server.url);
      await open;
      expect(await within(closed, 5000)).toMatchObject({ code: 4408 });
    });

    it('closes a socket that sends a message over WS_MAX_MESSAGE_BYTES with 1009', async () => {
      const subscriber = connect();
      expect(await subscriber.acknowledged).toBe(true);
      subscriber.subscribe(`subscription { bulletinPosted { id } } # ${'x'.repeat(5000)}`);
      expect(await subscriber.closed).toMatchObject({ code: 1009 });
    });
  });

  describe('the handshake', () => {
    it('refuses a foreign Origin with 403 and allows CORS_ORIGINS, the same origin and programs without an Origin', async () => {
      const host = new URL(server.url).host;
      expect(await handshakeStatus(server.url, { origin: 'https://evil.example' })).toBe(403);
      expect(await handshakeStatus(server.url, { origin: 'null' })).toBe(403);
      expect(await handshakeStatus(server.url, { origin: `http://${host}.evil.example` })).toBe(403);
      expect(await handshakeStatus(server.url, { origin: 'https://app.example.com' })).toBe(101);
      expect(await handshakeStatus(server.url, { origin: `http://${host}` })).toBe(101);
      expect(await handshakeStatus(server.url)).toBe(101);
    });

    it('refuses upgrades on any other path with 404', async () => {
      expect(await handshakeStatus(server.url.replace('/graphql', '/healthz'))).toBe(404);
      expect(await handshakeStatus(server.url.replace('/graphql', '/graphql/x'))).toBe(404);
    });
  });
});

describe('subscription configuration', () => {
  it('has documented defaults', () => {
    expect(loadConfig({}).subscriptions).toEqual({
      maxConnectionsPerUser: 20,
      maxConnectionsPerIp: 100,
      maxSubscriptionsPerConnection: 20,
      connectionInitTimeoutMs: 5000,
      maxMessageBytes: 65536,
    });
  });

  it.each([
    ['WS_MAX_CONNECTIONS_PER_USER', '0'],
    ['WS_MAX_CONNECTIONS_PER_USER', 'ten'],
    ['WS_MAX_CONNECTIONS_PER_IP', '0'],
    ['WS_MAX_CONNECTIONS_PER_IP', '1.5'],
    ['WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', '1001'],
    ['WS_CONNECTION_INIT_TIMEOUT', '0'],
    ['WS_CONNECTION_INIT_TIMEOUT', '2m'],
    ['WS_MAX_MESSAGE_BYTES', '100'],
    ['WS_MAX_MESSAGE_BYTES', '2000000'],
  ])('refuses a bad %s (%s) with a message that names it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });
});

describe('the upgrade request', () => {
  const request = (headers: Record<string, string>, remoteAddress = '10.0.0.9') =>
    ({ headers, socket: { remoteAddress }, url: '/graphql?x=1' }) as unknown as IncomingMessage;

  it("finds the client's address as Fastify does, through TRUST_PROXY_HOPS proxies and no further", () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.7, 198.51.100.2' };
    expect(clientAddress(request(forwarded), 0)).toBe('10.0.0.9');
    expect(clientAddress(request(forwarded), 1)).toBe('198.51.100.2');
    expect(clientAddress(request(forwarded), 2)).toBe('203.0.113.7');
    expect(clientAddress(request(forwarded), 5)).toBe('203.0.113.7');
    expect(clientAddress(request({}), 2)).toBe('10.0.0.9');
  });

  it('allows listed and same-origin pages and programs without an Origin; refuses the rest', () => {
    const allowed = ['https://app.example.com'];
    const host = { host: 'api.example.com' };
    expect(originAllowed(request({ ...host }), allowed)).toBe(true);
    expect(originAllowed(request({ ...host, origin: 'https://app.example.com' }), allowed)).toBe(true);
    expect(originAllowed(request({ ...host, origin: 'https://api.example.com' }), allowed)).toBe(true);
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.example', 'file://', 'x']) {
      expect(originAllowed(request({ ...host, origin }), allowed)).toBe(false);
    }
    expect(requestPath(request({}))).toBe('/graphql');
  });
});

describe('the revocation check of a connection', () => {
  const viewer = { id: 'u', roles: [], sessionId: 's', rolesVersion: 0, tokenId: 't', issuedAt: 0, expiresAt: 0 };
  const deps = (checkRevocation: ConnectionAuthDeps['checkRevocation']): ConnectionAuthDeps => ({
    tokens: { maxAcceptanceMs: 0, issue: () => ({ token: '', expiresIn: 0 }), verify: () => viewer },
    checkRevocation,
  });
  const log = pino({ level: 'silent' });

  it('closes with 1013 (try again later) when whether the token was revoked cannot be known', async () => {
    const unavailable = deps(() => Promise.reject(new ServiceUnavailableError(5)));
    await expect(confirmNotRevoked(viewer, unavailable, log)).rejects.toEqual(
      new ConnectionRefused(1013, 'SERVICE_UNAVAILABLE'),
    );
  });

  it('refuses a revoked or stale token at the door with 4401, from memory or from the database', async () => {
    for (const verdict of ['TOKEN_REVOKED', 'TOKEN_STALE'] as const) {
      for (const answer of [verdict, Promise.resolve(verdict)]) {
        await expect(
          confirmNotRevoked(
            viewer,
            deps(() => answer),
            log,
          ),
        ).rejects.toMatchObject({
          code: 4401,
          reason: verdict,
        });
      }
    }
    await expect(
      confirmNotRevoked(
        viewer,
        deps(() => Promise.resolve(null)),
        log,
      ),
    ).resolves.toBeUndefined();
  });
});

describe('an event stream', () => {
  it('keeps at most its bound of events a slow subscriber has not taken, dropping the oldest', async () => {
    const bus = createLocalEventBus();
    const stream = eventStream(bus, 'topic', 3);
    for (let i = 1; i <= 5; i++) bus.publish('topic', { i });
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push((await stream.next()).value);
    expect(taken).toEqual([{ i: 3 }, { i: 4 }, { i: 5 }]);
  });

  it('ends a waiting next() when returned, and unsubscribes', async () => {
    const bus = createLocalEventBus();
    const stream = eventStream(bus, 'topic');
    const waiting = stream.next();
    await stream.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    bus.publish('topic', { late: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});

describeEachDatabase('GraphQL subscriptions at shutdown', (dialect) => {
  it('closes open sockets with 1001 and refuses new ones', async () => {
    const server = await startTestServer(dialect, { modules: [...MODULES, bulletinsModule] });
    const subscriber = new Subscriber(server.url);
    try {
      expect(await subscriber.acknowledged).toBe(true);
      const closing = server.close();
      expect(await subscriber.closed).toMatchObject({ code: 1001 });
      await closing;
      await expect(handshakeStatus(server.url)).rejects.toThrow();
    } finally {
      await subscriber.dispose();
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
