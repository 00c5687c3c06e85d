import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { Role } from '../../src/auth/roles';
import { MODULES } from '../../src/modules';
import { ArticleTopic } from '../../src/modules/articles/article.events';
import { keepAlive } from '../../src/subscriptions/keep-alive';
import { MAX_BUFFERED_BYTES, MAX_ECHOED_PING_BYTES } from '../../src/subscriptions/outbound';
import { bulletinsModule } from '../fixtures/bulletins/bulletins.module';
import { BULLETIN_POSTED } from '../fixtures/bulletins/bulletins.service';
import { Subscriber, rawSocket, type Closed } from '../fixtures/subscription-client';
import { CreateArticleDocument, PublishArticleDocument, SubmitArticleDocument } from '../generated/graphql';
import { capturingLogger } from '../helpers/capturing-logger';
import { describeEachDatabase } from '../helpers/databases';
import { startTestServer, type TestServer } from '../helpers/test-server';

const POSTED = 'subscription { bulletinPosted { id title } }';
const POST = `mutation Post($title: String!, $memo: String!, $published: Boolean!) {
  postBulletin(title: $title, memo: $memo, published: $published) { id }
}`;

/** A socket speaking graphql-transport-ws by hand: what no well-behaved client sends. */
class RawClient {
  readonly socket: WebSocket;
  readonly messages: Array<Record<string, unknown>> = [];
  readonly closed: Promise<Closed>;
  private readonly opened: Promise<void>;

  constructor(url: string) {
    const raw = rawSocket(url);
    this.socket = raw.socket;
    this.opened = raw.opened;
    this.closed = raw.closed;
    this.socket.on('message', (data) => this.messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  }

  async acknowledged(): Promise<void> {
    await this.opened;
    this.send({ type: 'connection_init', payload: {} });
    await until(() => this.messages.some((message) => message.type === 'connection_ack'));
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Every message in one TCP write, so the server reads them in one go. */
  sendTogether(messages: ReadonlyArray<Record<string, unknown>>): void {
    const tcp = (this.socket as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (const message of messages) this.send(message);
    tcp.uncork();
  }

  /** Resolves once the server has read everything sent before (a graphql-ws ping, answered in order). */
  async roundTrip(): Promise<void> {
    const nonce = randomUUID();
    this.send({ type: 'ping', payload: { nonce } });
    await until(() => this.messages.some((message) => (message.payload as { nonce?: string })?.nonce === nonce));
  }

  /** Stops reading (the kernel's buffers, then the server's, fill up). */
  stopReading(): void {
    (this.socket as unknown as { _socket: Socket })._socket.pause();
  }
}

describeEachDatabase('GraphQL subscriptions under abuse', (dialect) => {
  let server: TestServer;
  const log = capturingLogger('warn');
  const opened: Array<{ dispose(): unknown }> = [];

  beforeAll(async () => {
    server = await startTestServer(dialect, {
      modules: [...MODULES, bulletinsModule],
      env: { WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3', WS_MAX_MESSAGE_BYTES: '8192' },
      logger: log.logger,
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(async () => {
    for (const client of opened.splice(0)) await client.dispose();
    await until(() => server.app.http.subscriptions.openConnections === 0);
    log.lines.length = 0;
  });

  const raw = () => {
    const client = new RawClient(server.url);
    opened.push({ dispose: () => client.socket.terminate() });
    return client;
  };
  const listeners = (topic: string) => server.app.services.events.listenerCount(topic);
  const tracked = () => server.app.http.subscriptions.trackedOperations;
  const subscribe = (id: string, query = POSTED) => ({ id, type: 'subscribe', payload: { query } });
  const complete = (id: string) => ({ id, type: 'complete' });

  describe('operations of one connection', () => {
    it('closes with 4409 on subscribe, complete, subscribe of one id in one write, and leaves nothing listening', async () => {
      const client = raw();
      await client.acknowledged();
      client.sendTogether([subscribe('1'), complete('1'), subscribe('1')]);
      expect(await client.closed).toEqual({ code: 4409, reason: 'DUPLICATE_OPERATION_ID' });
      // The first subscription finished its setup after the client had completed it: returned, not orphaned.
      expect(await until(() => listeners(BULLETIN_POSTED) === 0 && tracked() === 0)).toBe(true);
      // Nothing starts listening later either (its setup was still running when the socket closed).
      await post('after the close');
      expect(listeners(BULLETIN_POSTED)).toBe(0);
    });

    it('returns what was completed while it was being set up, and what runs when the socket closes', async () => {
      const client = raw();
      await client.acknowledged();
      for (let round = 0; round < 5; round++) {
        // Three at a time: one still being set up counts against the limit (3) even once completed.
        const ids = [0, 1, 2].map((i) => `gone ${round}.${i}`);
        client.sendTogether(ids.flatMap((id) => [subscribe(id), complete(id)]));
        await client.roundTrip();
        expect(await until(() => tracked() === 0)).toBe(true);
        expect(listeners(BULLETIN_POSTED)).toBe(0);
      }
      client.send(subscribe('kept'));
      // Only `kept` listens; the socket stays open, nothing was refused.
      expect(await until(() => listeners(BULLETIN_POSTED) === 1)).toBe(true);
      expect(tracked()).toBe(1);
      await post('one event');
      await until(() => client.messages.some((message) => message.type === 'next'));
      expect(new Set(client.messages.filter((m) => m.type === 'next').map((m) => m.id))).toEqual(new Set(['kept']));
      client.send(complete('kept'));
      expect(await until(() => listeners(BULLETIN_POSTED) === 0 && tracked() === 0)).toBe(true);
      client.sendTogether([subscribe('a'), subscribe('b'), subscribe('c')]);
      expect(await until(() => listeners(BULLETIN_POSTED) === 3)).toBe(true);
      client.socket.close();
      await client.closed;
      expect(await until(() => listeners(BULLETIN_POSTED) === 0 && tracked() === 0)).toBe(true);
      expect(client.messages.filter((message) => message.type === 'error')).toEqual([]);
    });

    it('counts subscriptions still being set up against WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', async () => {
      const client = raw();
      await client.acknowledged();
      client.sendTogether(['a', 'b', 'c', 'd', 'e'].map((id) => subscribe(id)));
      await until(() => client.messages.filter((message) => message.type === 'error').length === 2);
      const refused = client.messages.filter((message) => message.type === 'error');
      expect(refused.map((message) => message.id).sort()).toEqual(['d', 'e']);
      expect(refused[0]!.payload).toEqual([
        expect.objectContaining({
          extensions: { code: 'TOO_MANY_REQUESTS', limit: 'maxSubscriptionsPerConnection', max: 3 },
        }),
      ]);
      expect(await until(() => listeners(BULLETIN_POSTED) === 3 && tracked() === 3)).toBe(true);
    });
  });

  describe('a client that does not read', () => {
    it(`is closed once more than MAX_BUFFERED_BYTES wait for it, fake pongs and all, and its buffers are released`, async () => {
      const client = raw();
      await client.acknowledged();
      client.stopReading();
      // Unsolicited pongs (RFC 6455 allows them) must not pass for answers to the keep-alive.
      const fakePongs = setInterval(() => client.socket.pong(), 20);
      const echoed = JSON.stringify({ type: 'ping', payload: { blob: 'x'.repeat(MAX_ECHOED_PING_BYTES - 20) } });
      const big = JSON.stringify({ type: 'ping', payload: { blob: 'y'.repeat(6000) } });
      try {
        let sent = 0;
        // The kernel's buffers on both sides take some MB first; past 200 MB the server never gave up.
        while (server.app.http.subscriptions.openConnections > 0 && sent < 200 * 1024 * 1024) {
          for (let i = 0; i < 100; i++) {
            client.socket.send(i % 10 === 0 ? big : echoed);
            sent += echoed.length;
          }
          while (client.socket.bufferedAmount > 1024 * 1024) await sleep(5);
          await sleep(0);
        }
        expect(sent).toBeGreaterThan(MAX_BUFFERED_BYTES);
        expect(server.app.http.subscriptions.openConnections).toBe(0);
      } finally {
        clearInterval(fakePongs);
      }
      expect(log.lines).toContainEqual(
        expect.objectContaining({ msg: 'closing a WebSocket whose client does not read' }),
      );
    });

    it(`echoes a ping's payload of up to ${MAX_ECHOED_PING_BYTES} bytes, and answers a bigger one with a bare pong`, async () => {
      const client = raw();
      await client.acknowledged();
      client.send({ type: 'ping', payload: { small: 'x'.repeat(100) } });
      client.send({ type: 'ping', payload: { big: 'x'.repeat(MAX_ECHOED_PING_BYTES) } });
      await until(() => client.messages.filter((message) => message.type === 'pong').length === 2);
      expect(client.messages.filter((message) => message.type === 'pong')).toEqual([
        { type: 'pong', payload: { small: 'x'.repeat(100) } },
        { type: 'pong' },
      ]);
    });
  });

  describe('events', () => {
    it('drops an article event without a UUID (logged), and delivers the next one, not an error', async () => {
      const author = await server.signIn(`author-${Date.now()}@example.com`);
      const editor = await server.signIn(`editor-${Date.now()}@example.com`, [Role.EDITOR]);
      const subscriber = new Subscriber(server.url, { token: author.accessToken });
      opened.push(subscriber);
      expect(await subscriber.acknowledged).toBe(true);
      const feed = subscriber.subscribe('subscription { articlePublished { id title } }');
      expect(await until(() => listeners(ArticleTopic.PUBLISHED) === 1)).toBe(true);
      for (const articleId of ['not-a-uuid', "1' OR '1'='1", '']) {
        server.app.services.events.publish(ArticleTopic.PUBLISHED, { articleId });
      }
      server.app.services.events.publish(ArticleTopic.PUBLISHED, { articleId: 42 });
      const created = await server.execute(
        CreateArticleDocument,
        { input: { title: 'after the noise', body: 'b' } },
        { token: author.accessToken },
      );
      const id = created.data!.createArticle.id;
      const submitted = await server.execute(SubmitArticleDocument, { id }, { token: author.accessToken });
      const { revision } = submitted.data!.submitArticle;
      const published = await server.execute(PublishArticleDocument, { id, revision }, { token: editor.accessToken });
      expect(published.errors).toBeUndefined();
      expect(await feed.next()).toEqual({ data: { articlePublished: { id, title: 'after the noise' } } });
      const dropped = log.lines.filter((line) => line.msg === 'dropped an article event that names no article id');
      expect(dropped.map((line) => line.articleId)).toEqual(['not-a-uuid', "1' OR '1'='1", '', 'number']);
    });

    it('skips, for that subscriber, an event it cannot re-read (logged, never sent), and keeps the subscription', async () => {
      const subscriber = new Subscriber(server.url);
      opened.push(subscriber);
      expect(await subscriber.acknowledged).toBe(true);
      const failing = subscriber.subscribe('subscription { bulletinPostedFailing { id } }');
      const feed = subscriber.subscribe(POSTED);
      expect(await until(() => listeners(BULLETIN_POSTED) === 2)).toBe(true);
      for (let i = 0; i < 2; i++) {
        await post(`event ${i}`);
        expect((await feed.next()).data).toMatchObject({ bulletinPosted: { title: `event ${i}` } });
      }
      // Results of one socket are sent in order of the events: none came for the failing one.
      expect(failing.pending).toBe(0);
      expect(failing.ended).toBeNull();
      const failures = log.lines.filter(
        (line) => line.msg === 'could not re-read an event for a subscriber; skipped it for them',
      );
      expect(failures).toHaveLength(2);
      expect(JSON.stringify(failures)).toContain('10.1.2.3');
    });
  });

  async function post(title: string): Promise<void> {
    const author = await server.signIn(`poster-${title.replace(/\W/g, '')}-${Date.now()}@example.com`);
    const res = await server.post(
      { query: POST, variables: { title, memo: 'memo', published: true } },
      { authorization: `Bearer ${author.accessToken}` },
    );
    expect(res.status).toBe(200);
  }
});

describe('the keep-alive', () => {
  it('cuts a socket that answers its pings only with unsolicited pongs, and keeps one that echoes them', async () => {
    const wss = new WebSocketServer({ port: 0 });
    await once(wss, 'listening');
    const serverSides: WebSocket[] = [];
    wss.on('connection', (socket) => {
      serverSides.push(socket);
      keepAlive(socket, 300);
    });
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    try {
      const honest = new WebSocket(url);
      await once(honest, 'open');
      const faking = new WebSocket(url);
      await once(faking, 'open');
      (faking as unknown as { _socket: Socket })._socket.pause();
      const fakePongs = setInterval(() => faking.pong(), 10);
      await until(() => serverSides.length === 2);
      const [honestSide, fakingSide] = serverSides;
      const cut = await until(() => fakingSide!.readyState === WebSocket.CLOSED, 10_000);
      clearInterval(fakePongs);
      expect(cut).toBe(true);
      // The honest client's ws answered every ping with its nonce, through the same intervals.
      expect(honestSide!.readyState).toBe(WebSocket.OPEN);
      honest.terminate();
      faking.terminate();
    } finally {
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});

/** Polls `condition` until it holds (true) or `timeoutMs` passes (false): a bound for a test that must fail, not a speed target. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
