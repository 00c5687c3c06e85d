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
}

export type SessionEndReason =
  'logout' | 'logout_all' | 'revoked' | 'password_changed' | 'disabled' | 'reused' | 'expired';

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number;
  last_used_at: number;
  /** The absolute end of the session, whatever its use. */
  expires_at: number;
  ended_at: number | null;
  end_reason: SessionEndReason | null;
  user_agent: string | null;
  ip: string | null;
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
  /** Small JSON object; never a password or token. */
  details: string | null;
  /** For login events: the canonical email tried, whether or not an account has it. */
  subject: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  audit_events: AuditEventsTable;
}
