import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RevocationVerdict } from './auth/revocation/revocation-list';
import type { AccessTokens, Viewer } from './auth/tokens';
import { InvalidTokenError, ServiceUnavailableError, type TokenFailureReason } from './errors/domain-errors';
import { invalidTokenResponse, serviceUnavailableResponse } from './errors/graphql-errors';
import type { ClientInfo } from './auth/client-info';
import type { Logger } from './logger';

/** What every resolver sees about the request. Nothing below this file reads headers. */
export interface Context {
  readonly requestId: string;
  /** The verified caller; null for an anonymous request. */
  readonly viewer: Viewer | null;
  /** Where the request came from, for sessions and the audit log. */
  readonly client: ClientInfo;
  readonly refreshCookie: RefreshCookie;
  /** The request's logger: every line written through it carries the request id (`reqId`). */
  readonly log: Logger;
}

/** The browser-mode refresh token: an HttpOnly cookie scripts cannot read. */
export interface RefreshCookie {
  /** The refresh token the browser sent, if any. */
  readonly presented: string | null;
  set(token: string, maxAgeSeconds: number): void;
  clear(): void;
}

// __Host- makes the browser insist on Secure, Path=/ and no Domain: no subdomain can plant or read it.
export const REFRESH_COOKIE_NAME = '__Host-tollgate-refresh';
const COOKIE_ATTRIBUTES = { httpOnly: true, secure: true, sameSite: 'strict', path: '/' } as const;
const MAX_USER_AGENT_LENGTH = 256;

export interface ContextDeps {
  readonly tokens: AccessTokens;
  /**
   * From memory, or a promise when the token must be checked in the database (the list is
   * in doubt); `log` is the request's logger, for what goes wrong with this token.
   */
  readonly checkRevocation: (viewer: Viewer, log: Logger) => RevocationVerdict | Promise<RevocationVerdict>;
  /** Told how each bearer token was judged (for metrics); reasons come from a closed list. */
  readonly onAuthentication?: (
    outcome: 'accepted' | 'refused' | 'unavailable',
    reason: TokenFailureReason | null,
  ) => void;
}

/**
 * Builds the context for one request; throws a 401 GraphQLError when the bearer token
 * proves nothing, and a 503 one when whether it was revoked cannot be known (fail closed).
 * Synchronous unless the token has to be checked in the database.
 */
export function createContext(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ContextDeps,
): Context | Promise<Context> {
  let viewer: Viewer | null;
  try {
    viewer = readViewer(request, deps.tokens);
  } catch (error) {
    if (error instanceof InvalidTokenError) deps.onAuthentication?.('refused', error.reason);
    throw error instanceof InvalidTokenError ? invalidTokenResponse(error) : error;
  }
  if (!viewer) return new RequestContext(request, reply, null);
  const accept = (verdict: RevocationVerdict): Context => {
    deps.onAuthentication?.(verdict ? 'refused' : 'accepted', verdict);
    if (verdict) throw invalidTokenResponse(new InvalidTokenError(verdict));
    return new RequestContext(request, reply, viewer);
  };
  const verdict = deps.checkRevocation(viewer, requestLog(request));
  if (!(verdict instanceof Promise)) return accept(verdict);
  return verdict.then(accept, (error: unknown) => {
    if (!(error instanceof ServiceUnavailableError)) throw error;
    deps.onAuthentication?.('unavailable', null);
    throw serviceUnavailableResponse(error);
  });
}

class RequestContext implements Context {
  readonly requestId: string;
  private clientInfo?: ClientInfo;
  private cookie?: RefreshCookie;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    readonly viewer: Viewer | null,
  ) {
    this.requestId = request.id;
  }

  // Built on first use: most requests never need them, and this runs on every request.
  get client(): ClientInfo {
    this.clientInfo ??= {
      ip: this.request.ip ?? null,
      userAgent: this.request.headers['user-agent']?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    };
    return this.clientInfo;
  }

  get log(): Logger {
    return requestLog(this.request);
  }

  get refreshCookie(): RefreshCookie {
    if (!this.cookie) {
      const header = this.request.headers.cookie;
      const presented = header ? (parseCookies(header)[REFRESH_COOKIE_NAME] ?? null) : null;
      const reply = this.reply;
      this.cookie = {
        presented,
        set: (token, maxAge) =>
          void reply.header(
            'set-cookie',
            serializeCookie(REFRESH_COOKIE_NAME, token, { ...COOKIE_ATTRIBUTES, maxAge }),
          ),
        clear: () =>
          void reply.header(
            'set-cookie',
            serializeCookie(REFRESH_COOKIE_NAME, '', { ...COOKIE_ATTRIBUTES, maxAge: 0 }),
          ),
      };
    }
    return this.cookie;
  }
}

/** Fastify's child of the app's logger, bound to this request's id (typed by Fastify as its base logger). */
function requestLog(request: FastifyRequest): Logger {
  return request.log as Logger;
}

// RFC 6750 §2.1: b64token, after exactly one space-separated "Bearer" (scheme case-insensitive, RFC 7235 §2.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Reads the caller from `Authorization: Bearer <token>`. No header means an
 * anonymous request; any other header that does not prove an identity throws
 * InvalidTokenError (a 401 before a resolver runs). Tokens in the URL or body are never read.
 */
function readViewer(request: Pick<FastifyRequest, 'headers' | 'raw'>, tokens: AccessTokens): Viewer | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  // Node keeps the first of repeated Authorization headers; a second one is an attempt to confuse a proxy or us.
  if (countAuthorizationHeaders(request.raw.rawHeaders) !== 1) throw new InvalidTokenError();
  const match = BEARER.exec(header);
  if (!match) throw new InvalidTokenError();
  return tokens.verify(match[1]!);
}

function countAuthorizationHeaders(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === 'authorization') count++;
  return count;
}
