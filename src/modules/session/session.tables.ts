import type { Generated } from 'kysely';
import type { UsersTable } from '../user/user.tables';

export type SessionEndReason =
  | 'logout'
  | 'logout_all'
  | 'revoked'
  | 'password_changed'
  | 'password_reset'
  | 'disabled'
  | 'reused'
  | 'expired'
  | 'credentials_changed';

export interface SessionsTable {
  id: string;
  user_id: UsersTable['id'];
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
  /** The methods of its last authentication (RFC 8176 values, space-separated): its tokens' `amr`. */
  amr: string;
  /** When (ms) the oldest of those methods was proven: its tokens' `auth_time`. */
  authenticated_at: number;
}

export interface RefreshTokensTable {
  /** SHA-256 of the token, hex. The token itself is never stored. */
  token_hash: string;
  session_id: SessionsTable['id'];
  created_at: number;
  /** When this token was exchanged for the next one; null while it is the session's newest. */
  rotated_at: number | null;
  /** Replays of this token within the grace window recorded in the audit log (capped). */
  replays_recorded: Generated<number>;
}

declare module '../../db/database' {
  interface Database {
    sessions: SessionsTable;
    refresh_tokens: RefreshTokensTable;
  }
}
