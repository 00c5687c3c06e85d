import type { SessionEndReason } from '../../db/database';

export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
  readonly endedAt: number | null;
  readonly endReason: SessionEndReason | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** The user's credentials version the session was opened with; older than the user's means dead. */
  readonly credentialsVersion: number;
}

/** Where a request came from, for sessions and the audit log. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** How long sessions live. Milliseconds. */
export interface SessionPolicy {
  readonly absoluteLifetime: number;
  readonly idleTimeout: number;
  /** How long a rotated refresh token still answers with its successor (concurrent tabs, retries). */
  readonly reuseGrace: number;
}

/** When a session can no longer be refreshed: its absolute end or its idle end, whichever is first. */
export function sessionDeadline(
  session: Pick<SessionRecord, 'expiresAt' | 'lastUsedAt'>,
  policy: SessionPolicy,
): number {
  return Math.min(session.expiresAt, session.lastUsedAt + policy.idleTimeout);
}
