import { HeaderMap } from '@apollo/server';
import type { FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import type { AccessTokens, Viewer } from './auth/tokens';
import { InvalidTokenError } from './errors';
import { ErrorCode } from './graphql/errors';

/** What every resolver sees about the request. Nothing below this file reads headers. */
export interface Context {
  readonly requestId: string;
  /** The verified caller; null for an anonymous request. */
  readonly viewer: Viewer | null;
}

// RFC 6750 §2.1: b64token, after exactly one space-separated "Bearer" (scheme case-insensitive, RFC 7235 §2.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Reads the caller from `Authorization: Bearer <token>`. No header means an
 * anonymous request; any other header that does not prove an identity stops
 * the request with 401 before a resolver runs. Tokens in the URL or body are never read.
 */
export function readViewer(request: Pick<FastifyRequest, 'headers' | 'raw'>, tokens: AccessTokens): Viewer | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  // Node keeps the first of repeated Authorization headers; a second one is an attempt to confuse a proxy or us.
  if (countAuthorizationHeaders(request.raw.rawHeaders) !== 1) throw invalidToken(new InvalidTokenError());
  const match = BEARER.exec(header);
  if (!match) throw invalidToken(new InvalidTokenError());
  try {
    return tokens.verify(match[1]!);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw invalidToken(error);
    throw error;
  }
}

function countAuthorizationHeaders(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === 'authorization') count++;
  return count;
}

function invalidToken(error: InvalidTokenError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      reason: error.reason,
      http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer error="invalid_token"']]) },
    },
  });
}
