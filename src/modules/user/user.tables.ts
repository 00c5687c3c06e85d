import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  /** Normalised (NFKC, trimmed, lower-case); unique. */
  email: string;
  password_hash: string;
  display_name: string;
  /** One bit per role (src/auth/roles.ts): whether a user is an ADMIN is one exact bit test. */
  role_mask: number;
  /** 0 or 1: portable across both dialects. */
  disabled: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  /** Bumped on every role change; access tokens carry it (rv) so older ones can be told apart. */
  roles_version: Generated<number>;
  roles_changed_at: number | null;
  /** Bumped by a password change or a disable: sessions opened with an older one are dead. */
  credentials_version: Generated<number>;
}

declare module '../../db/database' {
  interface Database {
    users: UsersTable;
  }
}
