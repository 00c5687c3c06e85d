import type { UsersTable } from '../user/user.tables';

/** What a token from an emailed link lets its holder do. */
export type AccountTokenPurpose = 'verify_email' | 'change_email' | 'password_reset';

/**
 * Tokens sent by mail, one table for every purpose: they are made, proven, used once and
 * purged the same way. Only a keyed hash of each token is stored, so a copy of the
 * database (a backup, a replica) holds no link that works.
 */
export interface AccountTokensTable {
  /** HMAC-SHA-256 of the token (key derived from REFRESH_TOKEN_SECRET), hex. */
  token_hash: string;
  purpose: AccountTokenPurpose;
  /**
   * Null for a request by address that matched no account: that row is stored all the same
   * (a write on both paths, so timing says nothing) and can never be used.
   */
  user_id: UsersTable['id'] | null;
  /** The address the link was sent to: the one it verifies, or the account's address when it was asked for. */
  email: string;
  /**
   * The account's address when the link was asked for (for change_email, the old one): a
   * link works only while the account still has it, so nobody who held the account before
   * it moved on can complete a change with an old link.
   */
  account_email: string;
  /**
   * The user's credentials_version when it was made: every link dies when the password
   * changes (reset, change, disable, second-factor changes), so whoever held the account
   * before cannot come back with one.
   */
  credentials_version: number;
  created_at: number;
  /** Usable while now < expires_at. */
  expires_at: number;
  /** Set once, by the one request that used it. */
  used_at: number | null;
}

declare module '../user/user.tables' {
  interface UsersTable {
    /** When the current address was proven (a verification link followed); null until then. */
    email_verified_at: number | null;
  }
}

declare module '../../db/database' {
  interface Database {
    account_tokens: AccountTokensTable;
  }
}
