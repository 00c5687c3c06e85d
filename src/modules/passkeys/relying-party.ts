import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type CredentialDeviceType,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { PasskeysConfig } from '../../config';
import { CHALLENGE_TTL_MS, type PasskeyRecord } from './passkey.model';

/** A credential the options name (to exclude at registration, to allow at reauthentication). */
type KnownCredential = Pick<PasskeyRecord, 'credentialId' | 'transports'>;

export interface VerifiedRegistration {
  readonly credentialId: string;
  readonly publicKey: Uint8Array;
  readonly signCount: number;
  readonly transports: readonly string[];
  readonly deviceType: CredentialDeviceType;
  readonly backedUp: boolean;
  readonly aaguid: string;
}

export interface VerifiedAssertion {
  /** The counter the authenticator signed (0 when it keeps none). */
  readonly signCount: number;
  readonly deviceType: CredentialDeviceType;
  readonly backedUp: boolean;
}

/**
 * This server as a WebAuthn relying party: the options browsers get and the checks their
 * answers pass, all pinned to the configured RP ID and origins (@simplewebauthn/server).
 *
 * User verification is required, not preferred: a passkey login counts as two factors
 * (possession of the authenticator, and the PIN or biometric that unlocked it), which holds
 * only if the UV flag was set. Attestation is not asked for ('none'): we trust no
 * authenticator vendor list, and asking only adds a privacy prompt.
 */
export class RelyingParty {
  constructor(private readonly config: PasskeysConfig) {}

  registrationOptions(
    user: { readonly email: string; readonly displayName: string },
    userHandle: Uint8Array<ArrayBuffer>,
    challenge: Uint8Array<ArrayBuffer>,
    existing: readonly KnownCredential[],
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: this.config.rpName,
      rpID: this.config.rpId,
      userName: user.email,
      userDisplayName: user.displayName,
      userID: userHandle,
      challenge,
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      // The same authenticator twice would only replace its own credential for this account.
      excludeCredentials: existing.map(descriptorOf),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  }

  /** With no credentials named, any discoverable one for this RP: the browser lets the person pick. */
  authenticationOptions(
    challenge: Uint8Array<ArrayBuffer>,
    allowed: readonly KnownCredential[] = [],
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: this.config.rpId,
      challenge,
      timeout: CHALLENGE_TTL_MS,
      userVerification: 'required',
      allowCredentials: allowed.map(descriptorOf),
    });
  }

  /** Throws (any error) unless the response answers `challenge` from an allowed origin for our RP ID, user verified. */
  async verifyRegistration(response: RegistrationResponseJSON, challenge: string): Promise<VerifiedRegistration> {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...this.config.origins],
      expectedRPID: this.config.rpId,
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: true,
    });
    if (!result.verified) throw new Error('registration not verified');
    const { credential, credentialDeviceType, credentialBackedUp, aaguid } = result.registrationInfo;
    return {
      credentialId: credential.id,
      publicKey: credential.publicKey,
      signCount: credential.counter,
      transports: credential.transports ?? response.response.transports ?? [],
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      aaguid,
    };
  }

  /**
   * Throws unless the assertion answers `challenge` from an allowed origin for our RP ID,
   * user verified, signed by `passkey`'s key. The counter is left to the caller: the library
   * would compare it before checking the signature, so an unsigned response could raise a
   * "cloned authenticator" alarm; compared after, only the real key can.
   */
  async verifyAssertion(
    response: AuthenticationResponseJSON,
    challenge: string,
    passkey: PasskeyRecord,
  ): Promise<VerifiedAssertion> {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...this.config.origins],
      expectedRPID: this.config.rpId,
      expectedType: 'webauthn.get',
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: 0,
        transports: [...passkey.transports],
      },
      requireUserVerification: true,
    });
    if (!result.verified) throw new Error('signature not verified');
    const info = result.authenticationInfo;
    return { signCount: info.newCounter, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp };
  }
}

function descriptorOf(credential: KnownCredential): { id: string; transports?: string[] } {
  return credential.transports.length > 0
    ? { id: credential.credentialId, transports: [...credential.transports] }
    : { id: credential.credentialId };
}

/**
 * Whether a verified counter proves a clone (WebAuthn §6.1.1): an authenticator that counts
 * must show a larger value each time. Both 0 is an authenticator that keeps no counter
 * (synced passkeys), which is fine.
 */
export function counterRegressed(stored: number, signed: number): boolean {
  return (stored > 0 || signed > 0) && signed <= stored;
}
