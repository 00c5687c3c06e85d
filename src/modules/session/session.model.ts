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
