import { ApolloLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { Observable, type Subscription } from 'rxjs';
import type { RefreshOutcome } from './session';
import type { SessionState } from './session-state';

/** What the subscription link needs of the session. */
export interface SubscriptionSession {
  tokenForRequest(): Promise<string | null>;
  refreshReplacing(rejected: string): Promise<RefreshOutcome>;
  sessionEnded(rejected: string): Promise<void>;
  getState(): SessionState;
  subscribe(listener: (state: SessionState) => void): () => void;
}

export interface SubscriptionLinkOptions {
  /** `ws://…/graphql` or `wss://…/graphql`; a path such as `/graphql` is resolved against the page. */
  readonly url: string;
  /** A WebSocket constructor where there is no global one (Node 20: `ws`). */
  readonly webSocketImpl?: unknown;
  readonly session: SubscriptionSession;
}

export interface SubscriptionLink {
  readonly link: ApolloLink;
  /** Closes the socket for good (the client is being disposed). */
  close(): void;
}

/** The server refused the token in `connection_init` (README, "When the server closes a socket"). */
const REFUSED_AT_INIT = 4401;
/** The token of an open socket stopped being valid: expired, revoked, or its roles changed. */
const ACCESS_ENDED = 4403;
/** graphql-ws's own "restart" code: not fatal, so the client reconnects and resubscribes. */
const RESTART = 4205;
const MAX_BACKOFF_MS = 30_000;

interface CloseLike {
  readonly code: number;
  readonly reason: string;
}

const isCloseLike = (value: unknown): value is CloseLike =>
  typeof value === 'object' && value !== null && 'code' in value && typeof (value as CloseLike).code === 'number';

function resolveUrl(url: string): string {
  if (/^wss?:\/\//i.test(url)) return url;
  const location = (globalThis as { location?: { href: string } }).location;
  if (!location) throw new TypeError('createTollgateClient: `websocketUri` must be a ws:// or wss:// URL here');
  const absolute = new URL(url, location.href);
  absolute.protocol = absolute.protocol === 'https:' ? 'wss:' : 'ws:';
  return absolute.toString();
}

/** Exponential backoff with jitter, capped: a restarting server is not hammered. */
function backoff(retries: number): Promise<void> {
  const ms = Math.min(1000 * 2 ** retries, MAX_BACKOFF_MS) + Math.floor(Math.random() * 1000);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const sessionIdOf = (state: SessionState): string | null =>
  state.status === 'signedIn' ? state.viewer.sessionId : null;

/**
 * Subscriptions over graphql-ws, authenticated by the session's current access token. The socket
 * opens only when a subscription starts. When the server ends the socket's access (4403) or
 * refuses its token (4401), the one shared refresh runs and the socket reconnects with the new
 * token; a revoked session signs out instead. Signing out closes the socket: no subscription
 * outlives the session it was opened in (the connection's viewer is fixed at `connection_init`).
 */
export function createSubscriptionLink(options: SubscriptionLinkOptions): SubscriptionLink {
  const { session } = options;
  let client: Client | null = null;
  let wsLink: GraphQLWsLink | null = null;
  let socket: { close(code: number, reason: string): void } | null = null;
  /** The token sent in the latest `connection_init` (null: anonymous), and its session. */
  let sentToken: string | null = null;
  let connectedAs: string | null = null;
  /** The refresh a token close started; the reconnection waits for it instead of backing off. */
  let renewal: Promise<boolean> | null = null;

  const renew = (reason: string): void => {
    const token = sentToken;
    if (!token || session.getState().status !== 'signedIn') return;
    if (reason === 'TOKEN_REVOKED') {
      // The session is over (a logout elsewhere, a password change): signing out closes the socket.
      renewal = session.sessionEnded(token).then(() => false);
      return;
    }
    // TOKEN_EXPIRED, TOKEN_STALE, TOKEN_INVALID: a refresh cures them (new expiry, new roles).
    renewal = session.refreshReplacing(token).then((outcome) => outcome.kind === 'token');
  };

  const closeClient = (): void => {
    const closing = client;
    client = null;
    wsLink = null;
    socket = null;
    renewal = null;
    // dispose() completes every subscription and stops retrying.
    if (closing) void closing.dispose();
  };

  const open = (): GraphQLWsLink => {
    if (wsLink) return wsLink;
    const created = createClient({
      url: resolveUrl(options.url),
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
      // Asked at every (re)connection: the token current then (refreshed first if it has expired).
      connectionParams: async () => {
        const token = await session.tokenForRequest();
        sentToken = token;
        connectedAs = token ? sessionIdOf(session.getState()) : null;
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        const pending = renewal;
        renewal = null;
        if (pending && (await pending)) return;
        await backoff(retries);
      },
      on: {
        connected: (connected) => {
          socket = connected as typeof socket;
        },
        closed: (event) => {
          socket = null;
          if (created !== client || !isCloseLike(event)) return;
          if (event.code === ACCESS_ENDED || event.code === REFUSED_AT_INIT) renew(event.reason);
        },
      },
    });
    client = created;
    wsLink = new GraphQLWsLink(created);
    return wsLink;
  };

  session.subscribe((state) => {
    if (!client) return;
    const current = sessionIdOf(state);
    if (current === connectedAs) return;
    // Signed out: the socket goes with the session. Signed in as another session: reconnect,
    // so the connection's viewer is the new one.
    if (current === null) closeClient();
    else socket?.close(RESTART, 'Client Restart');
  });

  /**
   * graphql-ws gives up on 4401 (refused at `connection_init`): once its refresh has produced
   * a new token, the subscription is started again, once.
   */
  const link = new ApolloLink(
    (operation) =>
      new Observable<ApolloLink.Result>((observer) => {
        let current: Subscription | null = null;
        let closed = false;
        const attempt = (retriesLeft: number): void => {
          current = open()
            .request(operation)
            .subscribe({
              next: (result) => observer.next(result),
              complete: () => observer.complete(),
              error: (error: unknown) => {
                const pending = renewal;
                if (retriesLeft === 0 || !pending) {
                  observer.error(error);
                  return;
                }
                renewal = null;
                pending.then(
                  (renewed) => {
                    if (closed) return;
                    if (renewed) attempt(retriesLeft - 1);
                    else observer.error(error);
                  },
                  () => observer.error(error),
                );
              },
            });
        };
        attempt(1);
        return () => {
          closed = true;
          current?.unsubscribe();
        };
      }),
  );

  return { link, close: closeClient };
}
