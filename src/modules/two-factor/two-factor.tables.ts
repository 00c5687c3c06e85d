import type { Generated } from 'kysely';
import type { UsersTable } from '../user/user.tables';

export interface TotpAuthenticatorsTable {
  user_id: UsersTable['id'];
  /** base64url(iv | ciphertext | tag), AES-256-GCM; see totp-secret-box.ts. */
  sealed_secret: string;
  created_at: number;
  /** Set while unconfirmed: the enrolment is void after this (ms). */
  pending_until: number | null;
  confirmed_at: number | null;
  /** The newest time step whose code was accepted. */
  last_used_step: number | null;
}

export interface RecoveryCodesTable {
  user_id: UsersTable['id'];
  /** HMAC-SHA256 of the code under a derived key, hex. */
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface MfaChallengesTable {
  /** SHA-256 of the challenge, hex. */
  token_hash: string;
  user_id: UsersTable['id'];
  /** What the password proved: a password change or a disable meanwhile voids the challenge. */
  credentials_version: number;
  /** When the password was proven (ms): the amr's oldest method once the code completes it. */
  password_at: number;
  expires_at: number;
  failures: Generated<number>;
  used_at: number | null;
}

declare module '../../db/database' {
  interface Database {
    totp_authenticators: TotpAuthenticatorsTable;
    recovery_codes: RecoveryCodesTable;
    mfa_challenges: MfaChallengesTable;
  }
}
