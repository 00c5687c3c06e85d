import { PASSWORD_ONLY, parseAuthMethods, type Authentication } from '../../auth/authentication-methods';
import type { SessionEndReason } from './session.tables';

export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  /** The absolute end, however the session is used. */
  readonly expiresAt: Date;
  readonly endedAt: Date | null;
  readonly endReason: SessionEndReason | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** The user's credentials version the session was opened with; older than the user's means dead. */
  readonly credentialsVersion: number;
  /** Its last authentication (login, second factor, reauthenticate): what its access tokens state. */
  readonly authentication: Authentication;
}

/** The stored form of an authentication's methods: RFC 8176 values, space-separated. */
export function storedMethods(authentication: Authentication): string {
  return authentication.methods.join(' ');
}

/** Read back; a value this version does not know counts as a password login of unknown age (no step-up). */
export function authenticationFromRow(amr: string, authenticatedAt: number | string): Authentication {
  const methods = parseAuthMethods(amr.split(' '));
  return methods ? { methods, at: Number(authenticatedAt) } : { methods: PASSWORD_ONLY, at: 0 };
}

/** How long sessions live. */
export interface SessionPolicy {
  readonly absoluteLifetimeMs: number;
  readonly idleTimeoutMs: number;
  /** How long a rotated refresh token still answers with its successor (concurrent tabs, retries). */
  readonly reuseGraceMs: number;
}

/** When (ms) a session can no longer be refreshed: its absolute end or its idle end, whichever is first. */
export function sessionDeadline(
  session: Pick<SessionRecord, 'expiresAt' | 'lastUsedAt'>,
  policy: SessionPolicy,
): number {
  return Math.min(session.expiresAt.getTime(), session.lastUsedAt.getTime() + policy.idleTimeoutMs);
}
