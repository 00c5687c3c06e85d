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
}

export interface Database {
  users: UsersTable;
}
