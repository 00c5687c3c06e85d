import type { AuthUser, SignUpInput } from './tollgate-client';
import { toTollgateError, type WireError } from './graphql-errors';
import { TollgateError } from './tollgate-error';

/** What `login`, `signUp`, `verifyMfa` and `refresh` answer in cookie mode (the refresh token is the cookie). */
export interface IssuedPair {
  readonly accessToken: string;
  /** Seconds. */
  readonly expiresIn: number;
  readonly user: AuthUser;
}

export interface AuthTransport {
  login(email: string, password: string): Promise<IssuedPair>;
  signUp(input: SignUpInput): Promise<IssuedPair>;
  /** Completes a login that answered MFA_REQUIRED. */
  verifyMfa(input: MfaInput): Promise<IssuedPair>;
  /** Rotates the refresh cookie. */
  refresh(): Promise<IssuedPair>;
}

/** The second step of a login: its challenge and a code from the app, or a recovery code. */
export interface MfaInput {
  readonly challenge: string;
  readonly code?: string;
  readonly recoveryCode?: string;
}

// The caller's own fields are readable on these answers before any token is sent. The
// refresh token is never selected: in cookie mode it is null, and it must never reach script.
const PAIR = 'accessToken expiresIn user { id email displayName roles createdAt lastLoginAt }';
const LOGIN = `mutation TollgateLogin($email: String!, $password: String!) { pair: login(email: $email, password: $password, useCookie: true) { ${PAIR} } }`;
const SIGN_UP = `mutation TollgateSignUp($input: SignUpInput!) { pair: signUp(input: $input, useCookie: true) { ${PAIR} } }`;
const VERIFY_MFA = `mutation TollgateVerifyMfa($challenge: String!, $code: String, $recoveryCode: String) { pair: verifyMfa(challenge: $challenge, code: $code, recoveryCode: $recoveryCode, useCookie: true) { ${PAIR} } }`;
const REFRESH = `mutation TollgateRefresh { pair: refresh(useCookie: true) { ${PAIR} } }`;

export interface AuthTransportOptions {
  readonly uri: string;
  readonly fetch: typeof fetch;
  readonly credentials: 'same-origin' | 'include';
}

/**
 * The session mutations (login, signUp, verifyMfa, refresh), sent with plain fetch rather than through Apollo: they must never carry
 * an `Authorization` header (a stale or expired bearer is refused with a 401 before `refresh`
 * could run), and their answers (tokens) must never land in Apollo's cache.
 */
export function createAuthTransport(options: AuthTransportOptions): AuthTransport {
  async function send(query: string, variables: Record<string, unknown>): Promise<IssuedPair> {
    let response: Response;
    try {
      response = await options.fetch(options.uri, {
        method: 'POST',
        credentials: options.credentials,
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json;q=0.9',
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (cause) {
      throw new TollgateError('The server could not be reached.', { code: 'NETWORK_ERROR', cause });
    }
    let body: { data?: { pair?: IssuedPair | null } | null; errors?: WireError[] };
    try {
      body = (await response.json()) as typeof body;
    } catch (cause) {
      throw new TollgateError(`The server answered ${response.status} without a GraphQL body.`, {
        code: response.status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR',
        status: response.status,
        cause,
      });
    }
    const pair = body.data?.pair;
    if (pair) return pair;
    const first = body.errors?.[0];
    if (first) throw toTollgateError(first, response.status);
    throw new TollgateError('The server answered without data or errors.', {
      code: 'INTERNAL_SERVER_ERROR',
      status: response.status,
    });
  }

  return {
    login: (email, password) => send(LOGIN, { email, password }),
    signUp: (input) =>
      send(SIGN_UP, { input: { email: input.email, password: input.password, displayName: input.displayName } }),
    verifyMfa: (input) =>
      send(VERIFY_MFA, {
        challenge: input.challenge,
        code: input.code ?? null,
        recoveryCode: input.recoveryCode ?? null,
      }),
    refresh: () => send(REFRESH, {}),
  };
}
