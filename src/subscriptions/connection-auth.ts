import type { RevocationVerdict } from '../auth/revocation/revocation-list';
import type { AccessTokens, Viewer } from '../auth/tokens';
import { InvalidTokenError, ServiceUnavailableError, type TokenFailureReason } from '../errors/domain-errors';
import type { Logger } from '../logger';
import { SubscriptionCloseCode, type CloseReason } from './close-codes';

export interface ConnectionAuthDeps {
  readonly tokens: AccessTokens;
  /** The same revocation check as HTTP requests: from memory, or the database while the list is in doubt. */
  readonly checkRevocation: (viewer: Viewer, log: Logger) => RevocationVerdict | Promise<RevocationVerdict>;
  readonly onAuthentication?: (
    outcome: 'accepted' | 'refused' | 'unavailable',
    reason: TokenFailureReason | null,
  ) => void;
}

/** Why a `connection_init` was refused: the close code and its one-word reason. */
export class ConnectionRefused extends Error {
  override readonly name = 'ConnectionRefused';
  constructor(
    readonly code: number,
    readonly reason: CloseReason,
  ) {
    super(reason);
  }
}

// RFC 6750 §2.1, as the Authorization header is read over HTTP (src/context.ts).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The viewer a connection claims, from `connection_init`'s payload `{ authorization: "Bearer <token>" }`
 * (what an HTTP request sends as its header), verified exactly as an HTTP request's token is;
 * null (anonymous) when the payload has no `authorization`. The token is never read from the
 * URL (it would land in proxy and access logs) nor from cookies (a page of another site can
 * open a WebSocket that carries them). Whether it was revoked is confirmNotRevoked()'s
 * question, asked once the connection is tracked, so that no revocation can fall between.
 */
export function verifyConnectionToken(
  params: Readonly<Record<string, unknown>> | undefined,
  deps: ConnectionAuthDeps,
): Viewer | null {
  const authorization = params?.authorization;
  if (authorization === undefined) return null;
  try {
    const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
    if (!match) throw new InvalidTokenError();
    return deps.tokens.verify(match[1]!);
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    deps.onAuthentication?.('refused', error.reason);
    throw new ConnectionRefused(SubscriptionCloseCode.UNAUTHORIZED, error.reason);
  }
}

/** The revocation check of an HTTP request: a revoked or stale token is refused at the door (4401). */
export async function confirmNotRevoked(viewer: Viewer, deps: ConnectionAuthDeps, log: Logger): Promise<void> {
  let verdict: RevocationVerdict;
  try {
    verdict = await deps.checkRevocation(viewer, log);
  } catch (error) {
    if (!(error instanceof ServiceUnavailableError)) throw error;
    deps.onAuthentication?.('unavailable', null);
    throw new ConnectionRefused(SubscriptionCloseCode.TRY_AGAIN_LATER, 'SERVICE_UNAVAILABLE');
  }
  deps.onAuthentication?.(verdict ? 'refused' : 'accepted', verdict);
  if (verdict) throw new ConnectionRefused(SubscriptionCloseCode.UNAUTHORIZED, verdict);
}
