import { roles, type Role } from './generated/policies';
import type { Viewer } from './session-state';
import { TollgateError } from './tollgate-error';

/** The access token as the client holds it: in memory only, never in storage. */
export interface HeldToken {
  readonly accessToken: string;
  readonly viewer: Viewer;
  /** The token's `iat` (seconds): of two tokens of one session, the later one wins. */
  readonly issuedAt: number;
}

function decodeBase64Url(segment: string): string {
  const base64 = segment
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(segment.length / 4) * 4, '=');
  const binary = atob(base64);
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

const isRole = (value: unknown): value is Role => (roles as readonly unknown[]).includes(value);

/**
 * Reads who the token is about from its payload, without verifying it: the client cannot (it
 * holds no key) and need not (the server verifies every request). What is read here only
 * chooses what the UI shows. `expiresAt` is given in this device's clock, from `expiresIn`.
 */
export function holdToken(accessToken: string, expiresAt: number): HeldToken {
  let claims: Record<string, unknown>;
  try {
    const payload = accessToken.split('.')[1];
    if (payload === undefined) throw new Error('not a JWT');
    claims = JSON.parse(decodeBase64Url(payload)) as Record<string, unknown>;
  } catch (cause) {
    throw new TollgateError('The server sent an access token the client cannot read.', {
      code: 'INTERNAL_SERVER_ERROR',
      cause,
    });
  }
  const { sub, sid, iat } = claims;
  const tokenRoles = claims.roles;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof iat !== 'number' || !Array.isArray(tokenRoles)) {
    throw new TollgateError('The server sent an access token without the expected claims.', {
      code: 'INTERNAL_SERVER_ERROR',
    });
  }
  return {
    accessToken,
    issuedAt: iat,
    // A role this client's generated map does not know (a newer server) grants nothing here.
    viewer: Object.freeze({ id: sub, roles: Object.freeze(tokenRoles.filter(isRole)), sessionId: sid, expiresAt }),
  };
}
