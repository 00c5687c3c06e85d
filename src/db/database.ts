import type { Generated } from 'kysely';

/**
 * Table shapes as Kysely sees them. Times are epoch milliseconds (INTEGER in
 * SQLite, BIGINT in PostgreSQL) so both dialects store and compare them the same way.
 */
export interface UsersTable {
  id: string;
  /** Normalised (NFKC, trimmed, lower-case); unique. */
  email: string;
  password_hash: string;
  display_name: string;
  /** Comma-separated Role names. */
  roles: string;
  /** 0 or 1: portable across both dialects. */
  disabled: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  roles_version: Generated<number>;
  roles_changed_at: number | null;
  /** Bumped by a password change or a disable: sessions opened with an older one are dead. */
  credentials_version: Generated<number>;
}

export type SessionEndReason =
  'logout' | 'logout_all' | 'revoked' | 'password_changed' | 'disabled' | 'reused' | 'expired' | 'credentials_changed';

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number;
  last_used_at: number;
  /** The absolute end of the session, whatever its use. */
  expires_at: number;
  /** Never earlier than `last_used_at`: no token of the session was issued after its end. */
  ended_at: number | null;
  end_reason: SessionEndReason | null;
  user_agent: string | null;
  ip: string | null;
  /** The user's credentials_version when the session was opened (or the password last changed in it). */
  credentials_version: number;
}

export interface RefreshTokensTable {
  /** SHA-256 of the token, hex. The token itself is never stored. */
  token_hash: string;
  session_id: string;
  created_at: number;
  /** When this token was exchanged for the next one; null while it is the session's newest. */
  rotated_at: number | null;
}

export interface AuditEventsTable {
  id: string;
  at: number;
  type: string;
  /** Whom the event is about. */
  user_id: string | null;
  /** Who caused it, when that is someone else (an ADMIN). */
  actor_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** Small JSON object; never a password, a token, or an email that belongs to no account. */
  details: string | null;
}

/** Attempts counted before the work they guard, in fixed windows. */
export interface AttemptCountersTable {
  /** HMAC of the rule and its subject (an email, an IP, a user id): never the subject itself. */
  key: string;
  count: number;
  window_ends_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  audit_events: AuditEventsTable;
  attempt_counters: AttemptCountersTable;
}
