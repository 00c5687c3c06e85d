import type { CredentialDeviceType } from '@simplewebauthn/server';

/** What a ceremony's challenge was issued for; a challenge is only ever accepted by its own kind of finish. */
export type ChallengePurpose = 'register' | 'login' | 'reauthenticate';

/** A challenge lives this long: enough for a person to touch a key or use a fingerprint, no longer. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Passkeys one account may hold: the registration options list them all to exclude them. */
export const MAX_PASSKEYS_PER_USER = 20;

/** A name as the user typed it, in characters after NFC. */
export const PASSKEY_NAME_MAX_LENGTH = 60;

/** A WebAuthn credential of a user, as stored. */
export interface PasskeyRecord {
  readonly id: string;
  readonly userId: string;
  /** base64url, the authenticator's own id for it. */
  readonly credentialId: string;
  readonly userHandle: string;
  readonly publicKey: Uint8Array;
  readonly signCount: number;
  readonly transports: readonly string[];
  readonly deviceType: CredentialDeviceType;
  readonly backedUp: boolean;
  readonly aaguid: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** The RFC 8176 method a passkey login states: `swk` for a synced (multi-device) key, `hwk` for one bound to its device. */
export function methodOf(passkey: Pick<PasskeyRecord, 'deviceType'>): 'hwk' | 'swk' {
  return passkey.deviceType === 'multiDevice' ? 'swk' : 'hwk';
}
