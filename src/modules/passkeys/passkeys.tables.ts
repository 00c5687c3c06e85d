import type { UsersTable } from '../user/user.tables';
import type { ChallengePurpose } from './passkey.model';

export interface PasskeysTable {
  id: string;
  user_id: UsersTable['id'];
  /** base64url, as the authenticator made it. */
  credential_id: string;
  /** base64url of the WebAuthn user handle the credential holds. */
  user_handle: string;
  /** base64url of the COSE public key. */
  public_key: string;
  /** The last signature counter seen (0 for authenticators that do not count, as synced passkeys). */
  sign_count: number;
  /** Comma-separated AuthenticatorTransport values, a hint for the browser. */
  transports: string;
  /** `singleDevice` or `multiDevice` (synced). */
  device_type: string;
  backed_up: number;
  aaguid: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export interface PasskeyChallengesTable {
  /** SHA-256 of the challenge, hex. */
  challenge_hash: string;
  purpose: ChallengePurpose;
  user_id: UsersTable['id'] | null;
  expires_at: number;
}

declare module '../../db/database' {
  interface Database {
    passkeys: PasskeysTable;
    passkey_challenges: PasskeyChallengesTable;
  }
}
