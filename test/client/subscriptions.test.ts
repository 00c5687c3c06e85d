import { gql, type TypedDocumentNode } from '@apollo/client';
import WebSocket from 'ws';
import type { Subscription } from 'rxjs';
import { Role } from '../../src/auth/roles';
import {
  CreateArticleDocument,
  PublishArticleDocument,
  RevokeSessionDocument,
  SetUserRolesDocument,
  SubmitArticleDocument,
} from '../generated/graphql';
import { startTestServer, TEST_PASSWORD, type SignedIn, type TestServer } from '../helpers/test-server';
import type { TollgateClient } from '../../client/src';
import { TestBrowser } from './helpers/browser';
import { openTab, uniqueChannel, until } from './helpers/tabs';

// Only public fields: `reviewNotes` would come back FORBIDDEN for a reader.
const ARTICLE_PUBLISHED: TypedDocumentNode<{ articlePublished: { id: string; title: string } }> = gql`
  subscription ClientArticlePublished {
    articlePublished {
      id
      title
    }
  }
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sockets a client opened, and the bearer each sent in `connection_init` (null: anonymous). */
class SocketLog {
  readonly opened: RecordingSocket[] = [];
  readonly bearers: Array<string | null> = [];
  readonly closes: number[] = [];
  readonly impl: typeof WebSocket;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const log = this;
    this.impl = class extends RecordingSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, log);
      }
    } as unknown as typeof WebSocket;
  }

  open(): RecordingSocket[] {
    return this.opened.filter((socket) => socket.readyState === WebSocket.OPEN);
  }
}

class RecordingSocket extends WebSocket {
  constructor(url: string, protocols: string | string[] | undefined, log: SocketLog) {
    super(url, protocols);
    log.opened.push(this);
    const send = this.send.bind(this);
    this.send = ((data: string) => {
      const message = JSON.parse(data) as { type: string; payload?: { authorization?: string } };
      if (message.type === 'connection_init') log.bearers.push(message.payload?.authorization ?? null);
      send(data);
    }) as typeof this.send;
    this.on('close', (code) => log.closes.push(code));
  }
}

interface Feed {
  readonly titles: string[];
  ended: boolean;
  next(): Promise<string>;
  stop(): void;
}

describe('@tollgate/client subscriptions over WebSocket (websocketUri)', () => {
  let server: TestServer;
  let editor: SignedIn;
  let admin: SignedIn;
  let author: SignedIn;
  let n = 0;
  const tabs: TollgateClient[] = [];
  const feeds: Feed[] = [];

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    editor = await server.signIn('ws-editor@example.com', [Role.EDITOR]);
    admin = await server.signIn('ws-admin@example.com', [Role.ADMIN]);
    author = await server.signIn('ws-author@example.com');
  });
  afterEach(() => {
    for (const feed of feeds.splice(0)) feed.stop();
    for (const tab of tabs.splice(0)) tab.dispose();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Draft, submit, publish: one `articlePublished` event. */
  async function publish(title: string): Promise<string> {
    const created = await server.execute(
      CreateArticleDocument,
      { input: { title, body: `Body of ${title}` } },
      { token: author.accessToken },
    );
    const id = created.data!.createArticle.id;
    await server.execute(SubmitArticleDocument, { id }, { token: author.accessToken });
    const published = await server.execute(
      PublishArticleDocument,
      { id, revision: created.data!.createArticle.revision },
      { token: editor.accessToken },
    );
    expect(published.errors).toBeUndefined();
    return id;
  }

  async function signedInTab(roles: readonly Role[] = [Role.USER]) {
    const email = `ws-reader-${++n}@example.com`;
    await server.createUser(email, roles);
    const sockets = new SocketLog();
    const client = openTab(new TestBrowser(), server.url, {
      channelName: uniqueChannel(),
      websocketUri: server.url.replace(/^http/, 'ws'),
      webSocketImpl: sockets.impl,
    });
    tabs.push(client);
    const { viewer } = await client.login(email, TEST_PASSWORD);
    return { client, sockets, viewer, email };
  }

  function follow(client: TollgateClient): Feed {
    const titles: string[] = [];
    const waiters: Array<(title: string) => void> = [];
    const feed: Feed = {
      titles,
      ended: false,
      next: () =>
        new Promise((resolve) => {
          const title = titles.shift();
          if (title !== undefined) resolve(title);
          else waiters.push(resolve);
        }),
      stop: () => subscription.unsubscribe(),
    };
    const subscription: Subscription = client.apollo.subscribe({ query: ARTICLE_PUBLISHED }).subscribe({
      next: (result) => {
        const title = result.data?.articlePublished.title;
        if (!title || title.startsWith('warm-up')) {
          if (title) titles.push(title);
          return;
        }
        const waiter = waiters.shift();
        if (waiter) waiter(title);
        else titles.push(title);
      },
      complete: () => {
        feed.ended = true;
      },
      error: () => {
        feed.ended = true;
      },
    });
    feeds.push(feed);
    return feed;
  }

  /** Subscribed once the server has it: the subscribe and the publish travel apart, so repeat until heard. */
  async function live(feed: Feed): Promise<void> {
    for (let i = 0; i < 100 && !feed.titles.some((title) => title.startsWith('warm-up')); i++) {
      await publish(`warm-up ${++n}`);
      await sleep(30);
    }
    expect(feed.titles.some((title) => title.startsWith('warm-up'))).toBe(true);
    feed.titles.splice(0);
  }

  it('opens no socket until a subscription starts, then delivers published articles with the bearer', async () => {
    const { client, sockets } = await signedInTab();
    expect(sockets.opened).toHaveLength(0);

    const feed = follow(client);
    await live(feed);
    await publish('Live one');
    expect(await feed.next()).toBe('Live one');
    expect(sockets.opened).toHaveLength(1);
    expect(sockets.bearers).toHaveLength(1);
    expect(sockets.bearers[0]).toMatch(/^Bearer /);
  });

  it('closes the socket when the session is ended elsewhere, and never reconnects with the dead token', async () => {
    const { client, sockets, viewer, email } = await signedInTab();
    const feed = follow(client);
    await live(feed);

    // The same user, signed in on another device, ends this session there.
    const login = await server.post({
      query: `mutation { login(email: "${email}", password: "${TEST_PASSWORD}") { accessToken } }`,
    });
    const { data } = (await login.json()) as { data: { login: { accessToken: string } } };
    const revoked = await server.execute(
      RevokeSessionDocument,
      { id: viewer.sessionId },
      { token: data.login.accessToken },
    );
    expect(revoked.errors).toBeUndefined();
    await until(client, (state) => state.status === 'signedOut');
    expect(client.getState()).toEqual({ status: 'signedOut', reason: 'TOKEN_REVOKED' });
    for (let i = 0; i < 100 && !feed.ended; i++) await sleep(20);
    expect(feed.ended).toBe(true);
    expect(sockets.open()).toHaveLength(0);
    // Give a reconnection every chance to happen: none may carry the ended session's token.
    await sleep(300);
    expect(sockets.bearers).toHaveLength(1);
    expect(sockets.open()).toHaveLength(0);
  });

  it('reconnects with a refreshed token after a role change (4403 TOKEN_STALE) and keeps delivering', async () => {
    const { client, sockets, viewer } = await signedInTab();
    const feed = follow(client);
    await live(feed);

    const changed = await server.execute(
      SetUserRolesDocument,
      { userId: viewer.id, roles: ['USER', 'EDITOR'] },
      { token: admin.accessToken },
    );
    expect(changed.errors).toBeUndefined();
    const state = await until(
      client,
      (current) => current.status === 'signedIn' && current.viewer.roles.includes('EDITOR'),
    );
    expect(state.status).toBe('signedIn');
    for (let i = 0; i < 200 && sockets.bearers.length < 2; i++) await sleep(20);
    expect(sockets.closes[0]).toBe(4403);
    expect(sockets.bearers).toHaveLength(2);
    expect(sockets.bearers[1]).not.toBe(sockets.bearers[0]);

    await live(feed);
    await publish('After the promotion');
    expect(await feed.next()).toBe('After the promotion');
    expect(feed.ended).toBe(false);
  });

  it('refreshes once and subscribes again when connection_init is refused (4401 TOKEN_STALE)', async () => {
    const { client, sockets, viewer } = await signedInTab();
    // The roles change while no socket is open: the token the client holds is already stale.
    const changed = await server.execute(
      SetUserRolesDocument,
      { userId: viewer.id, roles: ['USER', 'EDITOR'] },
      { token: admin.accessToken },
    );
    expect(changed.errors).toBeUndefined();

    const feed = follow(client);
    await live(feed);
    expect(sockets.closes[0]).toBe(4401);
    expect(sockets.bearers).toHaveLength(2);
    expect(sockets.bearers[1]).not.toBe(sockets.bearers[0]);
    const state = client.getState();
    expect(state.status === 'signedIn' && state.viewer.roles).toContain('EDITOR');
    await publish('After the refusal');
    expect(await feed.next()).toBe('After the refusal');
  });

  it('closes the socket on sign-out here', async () => {
    const { client, sockets } = await signedInTab();
    const feed = follow(client);
    await live(feed);
    await client.logout();
    for (let i = 0; i < 100 && (!feed.ended || sockets.open().length > 0); i++) await sleep(20);
    expect(feed.ended).toBe(true);
    expect(sockets.open()).toHaveLength(0);
  });
});
