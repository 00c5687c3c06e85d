import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  ServerError,
  gql,
} from '@apollo/client';
import { OperationTypeNode } from 'graphql';
import { createAuthLink } from './auth-link';
import { createAuthTransport, type MfaInput } from './auth-transport';
import type { Role } from './generated/policies';
import { toTollgateError } from './graphql-errors';
import { Session, type Timers } from './session';
import type { SessionState, SignedOutReason, Viewer } from './session-state';
import { createSubscriptionLink } from './subscription-link';
import { platformLocks, type LockManagerLike } from './tabs/refresh-lock';
import { TollgateError } from './tollgate-error';

export interface TollgateClientOptions {
  /** The GraphQL endpoint, such as `/graphql` (same origin) or `https://api.example.com/graphql`. */
  readonly uri: string;
  /** Defaults to the global `fetch`. Tests wrap it to count requests. */
  readonly fetch?: typeof fetch;
  /**
   * `same-origin` (the default) when the app and the API share an origin (a dev proxy, one
   * host); `include` when the API is on another origin listed in its `CORS_ORIGINS`, so the
   * refresh cookie is sent.
   */
  readonly credentials?: 'same-origin' | 'include';
  /** Refresh this long before the access token expires (default 60 s, at most half its lifetime). */
  readonly refreshLeewayMs?: number;
  /** Tabs sharing a session talk on this BroadcastChannel / lock name (default `tollgate`). */
  readonly channelName?: string;
  /** The Apollo cache; a fresh InMemoryCache by default. */
  readonly cache?: InMemoryCache;
  /** Called once each time the session ends, with why. */
  readonly onSignedOut?: (reason: SignedOutReason) => void;
  /** The Web Locks API; defaults to `navigator.locks` where present. `null` turns locking off. */
  readonly locks?: LockManagerLike | null;
  /**
   * Subscriptions over WebSocket (graphql-ws) at this URL, such as `wss://api.example.com/graphql`
   * or `/graphql` (resolved against the page). Without it, there is no WebSocket and no subscription.
   */
  readonly websocketUri?: string;
  /** A WebSocket constructor where there is no global one (Node 20: the `ws` package). */
  readonly webSocketImpl?: unknown;
  /** Milliseconds since the epoch; injected by tests. */
  readonly now?: () => number;
  /** Where the proactive refresh is scheduled; injected by tests. */
  readonly timers?: Timers;
}

/** The caller as a login or sign-up answer shows them: their own fields are readable there. */
export interface AuthUser {
  readonly id: string;
  readonly email: string | null;
  readonly displayName: string;
  readonly roles: readonly Role[] | null;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

export interface AuthResult {
  readonly viewer: Viewer;
  readonly user: AuthUser;
}

export type { MfaInput };

export interface ReauthenticateInput {
  readonly password: string;
  readonly code?: string;
  readonly recoveryCode?: string;
}

export interface SignUpInput {
  readonly email: string;
  readonly password: string;
  readonly displayName: string;
}

export interface TollgateClient {
  /**
   * Apollo Client 4 whose link chain is the auth link then the HTTP link; with `websocketUri`,
   * subscriptions go over graphql-ws instead.
   */
  readonly apollo: ApolloClient;
  getState(): SessionState;
  /** Calls `listener` on every change of state; returns the unsubscribe function. */
  subscribe(listener: (state: SessionState) => void): () => void;
  /**
   * Page load: one `refresh` with the cookie. The state is `restoring` until it answers.
   * Never rejects: a network failure leaves the visitor signed out.
   */
  restore(): Promise<SessionState>;
  /** `login` in cookie mode. Rejects with a TollgateError (INVALID_CREDENTIALS, TOO_MANY_REQUESTS…). */
  login(email: string, password: string): Promise<AuthResult>;
  /** `signUp` in cookie mode. Rejects with a TollgateError (BAD_USER_INPUT with `field`…). */
  signUp(input: SignUpInput): Promise<AuthResult>;
  /**
   * Completes a `login` that rejected with reason `MFA_REQUIRED` (its `error.mfa.challenge`),
   * with a code from the authenticator app or a recovery code.
   */
  verifyMfa(input: MfaInput): Promise<AuthResult>;
  /**
   * Step-up: proves the password again (and a code when two-factor is on) for a fresh access
   * token of the same session; answer a FORBIDDEN / STEP_UP_REQUIRED with it, then retry.
   */
  reauthenticate(input: ReauthenticateInput): Promise<Viewer>;
  /** Ends this session on the server, then here and in every tab. Rejects (still signed in) when the server cannot be reached. */
  logout(): Promise<void>;
  /** Ends the caller's sessions (all but this one with `keepCurrent`); resolves to how many were open. */
  logoutAll(keepCurrent?: boolean): Promise<number>;
  /**
   * The current access token, refreshed first when it has expired; null when signed out. For
   * transports outside Apollo's HTTP chain (a graphql-ws `connectionParams`). Never store it.
   */
  getAccessToken(): Promise<string | null>;
  /** Stops timers and tab listeners; for tests and for apps that unmount the client. */
  dispose(): void;
}

const DEFAULT_LEEWAY_MS = 60_000;

const LOGOUT = gql`
  mutation TollgateLogout {
    logout
  }
`;
// Sent through Apollo (it needs the bearer, and the link's refresh), never cached (a token).
const REAUTHENTICATE = gql`
  mutation TollgateReauthenticate($password: String!, $code: String, $recoveryCode: String) {
    reauthenticate(password: $password, code: $code, recoveryCode: $recoveryCode) {
      accessToken
      expiresIn
    }
  }
`;
const LOGOUT_ALL = gql`
  mutation TollgateLogoutAll($keepCurrent: Boolean!) {
    logoutAll(keepCurrent: $keepCurrent)
  }
`;

function normalizeOptions(options: TollgateClientOptions) {
  if (typeof options.uri !== 'string' || options.uri.length === 0) {
    throw new TypeError('createTollgateClient: `uri` must be the GraphQL endpoint, such as "/graphql"');
  }
  const leeway = options.refreshLeewayMs ?? DEFAULT_LEEWAY_MS;
  if (!Number.isFinite(leeway) || leeway < 0) {
    throw new TypeError('createTollgateClient: `refreshLeewayMs` must be a finite number of milliseconds, 0 or more');
  }
  if (
    options.websocketUri !== undefined &&
    (typeof options.websocketUri !== 'string' || options.websocketUri.length === 0)
  ) {
    throw new TypeError(
      'createTollgateClient: `websocketUri` must be a WebSocket URL, such as "wss://api.example.com/graphql"',
    );
  }
  if (options.credentials !== undefined && options.credentials !== 'same-origin' && options.credentials !== 'include') {
    throw new TypeError("createTollgateClient: `credentials` must be 'same-origin' or 'include'");
  }
  const globalFetch = (globalThis as { fetch?: typeof fetch }).fetch;
  const fetchImpl = options.fetch ?? (globalFetch ? globalFetch.bind(globalThis) : undefined);
  if (!fetchImpl) throw new TypeError('createTollgateClient: no global fetch; pass `fetch`');
  return {
    uri: options.uri,
    fetch: fetchImpl,
    credentials: options.credentials ?? 'same-origin',
    leeway,
    channelName: options.channelName ?? 'tollgate',
    locks: options.locks === undefined ? platformLocks() : options.locks,
    now: options.now ?? Date.now,
    timers: options.timers ?? {
      setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  };
}

/** A failed Apollo request as a TollgateError: the server's first error, or NETWORK_ERROR when none arrived. */
function requestError(error: unknown): TollgateError {
  if (CombinedGraphQLErrors.is(error) && error.errors[0]) return toTollgateError(error.errors[0], undefined);
  if (ServerError.is(error)) {
    // An answer that was not GraphQL (a proxy's 502, a 503 page): a status, no server code.
    const code = error.statusCode === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR';
    return new TollgateError(`The server answered ${error.statusCode}.`, {
      code,
      status: error.statusCode,
      cause: error,
    });
  }
  return new TollgateError('The server could not be reached.', { code: 'NETWORK_ERROR', cause: error });
}

/**
 * The reasons for which the server refuses a logout because the session has truly ended: it
 * was revoked (a logout elsewhere, a password change), or its refresh token is spent or gone.
 * TOKEN_EXPIRED, TOKEN_STALE and TOKEN_INVALID are not among them: they say only that the
 * access token sent is too old, while the session and its refresh cookie may be alive.
 */
const SESSION_ENDED_REASONS: ReadonlySet<string> = new Set([
  'TOKEN_REVOKED',
  'REFRESH_TOKEN_REUSED',
  'REFRESH_TOKEN_INVALID',
  'SESSION_EXPIRED',
]);

const sessionAlreadyOver = (error: TollgateError) =>
  error.code === 'UNAUTHENTICATED' && error.reason !== undefined && SESSION_ENDED_REASONS.has(error.reason);

/**
 * A logout the server refused only because the access token had expired (or gone stale) and
 * could not be renewed (429, 503, network down): nothing ended, so the caller is told, with the
 * refresh's own failure (its `code` and `retryAfter`) when there was one.
 */
function logoutNotDone(error: TollgateError, refreshFailure: TollgateError | null): TollgateError {
  const cause = refreshFailure ?? error;
  return new TollgateError('Could not log out: the session could not be renewed. Try again.', {
    code: refreshFailure?.code ?? 'INTERNAL_SERVER_ERROR',
    ...(cause.retryAfter !== undefined ? { retryAfter: cause.retryAfter } : {}),
    ...(cause.status !== undefined ? { status: cause.status } : {}),
    cause,
  });
}

/**
 * An Apollo Client 4 wired to Tollgate: the auth link, then the HTTP link. Call `restore()`
 * once at start-up.
 */
export function createTollgateClient(options: TollgateClientOptions): TollgateClient {
  const config = normalizeOptions(options);
  const transport = createAuthTransport(config);
  const session: Session = new Session({
    transport,
    channelName: config.channelName,
    locks: config.locks,
    refreshLeewayMs: config.leeway,
    now: config.now,
    timers: config.timers,
    // The session clears the cache of the client whose link uses the session (declared below;
    // called only once the client exists).
    clearCache: (): Promise<unknown> => client.clearStore(),
    ...(options.onSignedOut ? { onSignedOut: options.onSignedOut } : {}),
  });
  const httpChain = ApolloLink.from([
    createAuthLink(session),
    new HttpLink({ uri: config.uri, fetch: config.fetch, credentials: config.credentials }),
  ]);
  const subscriptions = options.websocketUri
    ? createSubscriptionLink({ url: options.websocketUri, webSocketImpl: options.webSocketImpl, session })
    : null;
  const client: ApolloClient = new ApolloClient({
    cache: options.cache ?? new InMemoryCache(),
    link: subscriptions
      ? ApolloLink.split(
          ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
          subscriptions.link,
          httpChain,
        )
      : httpChain,
  });

  const signedIn = async (pair: Parameters<Session['signIn']>[0]): Promise<AuthResult> => {
    const token = await session.signIn(pair);
    return { viewer: token.viewer, user: pair.user };
  };

  /** Runs a session-ending mutation; whatever it ended, this tab and the others sign out only once the server agreed. */
  const endSession = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    if (session.getState().status !== 'signedIn') {
      await session.signOut('LOGGED_OUT', true);
      return undefined;
    }
    try {
      return await run();
    } catch (caught) {
      const error = requestError(caught);
      // The session had already ended (revoked; or the link's refresh found the refresh token
      // spent and signed out): what the caller wanted is true.
      if (sessionAlreadyOver(error) || session.getState().status !== 'signedIn') return undefined;
      // Anything else ended nothing on the server: signing out here alone would leave the
      // session and its cookie alive (a reload would sign the person back in). Stay signed in.
      if (error.code === 'UNAUTHENTICATED') throw logoutNotDone(error, session.lastRefreshFailure());
      throw error;
    }
  };

  return {
    apollo: client,
    getState: () => session.getState(),
    subscribe: (listener) => session.subscribe(listener),
    restore: () => session.restore(),
    login: async (email, password) => signedIn(await transport.login(email, password)),
    signUp: async (input) => signedIn(await transport.signUp(input)),
    verifyMfa: async (input) => signedIn(await transport.verifyMfa(input)),
    async reauthenticate(input) {
      let result;
      try {
        result = await client.mutate<{ reauthenticate: { accessToken: string; expiresIn: number } }>({
          mutation: REAUTHENTICATE,
          variables: { password: input.password, code: input.code ?? null, recoveryCode: input.recoveryCode ?? null },
          fetchPolicy: 'no-cache',
        });
      } catch (caught) {
        throw requestError(caught);
      }
      const renewed = result.data?.reauthenticate;
      if (!renewed) throw new TollgateError('The server answered without a token.', { code: 'INTERNAL_SERVER_ERROR' });
      return session.renewToken(renewed.accessToken, renewed.expiresIn).viewer;
    },
    async logout() {
      await endSession(() => client.mutate({ mutation: LOGOUT, fetchPolicy: 'no-cache' }));
      await session.signOut('LOGGED_OUT', true);
    },
    async logoutAll(keepCurrent = false) {
      const result = await endSession(() =>
        client.mutate<{ logoutAll: number }>({
          mutation: LOGOUT_ALL,
          variables: { keepCurrent },
          fetchPolicy: 'no-cache',
        }),
      );
      if (!keepCurrent || result === undefined) await session.signOut('LOGGED_OUT', true);
      return result?.data?.logoutAll ?? 0;
    },
    getAccessToken: () => session.tokenForRequest(),
    dispose: () => {
      subscriptions?.close();
      session.dispose();
    },
  };
}
