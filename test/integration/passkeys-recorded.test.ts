import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PasskeysConfig } from '../../src/config';
import { readAuthenticationResponse, readRegistrationResponse } from '../../src/modules/passkeys/ceremony-response';
import type { PasskeyRecord } from '../../src/modules/passkeys/passkey.model';
import { counterRegressed, RelyingParty } from '../../src/modules/passkeys/relying-party';

/*
 * One registration and one login exactly as Chromium's virtual authenticator answered them
 * (recorded by test/e2e/passkeys.test.ts with RECORD_WEBAUTHN_FIXTURE=1): real browser
 * output, not our software authenticator's, checked by the server's relying party directly.
 * Any change of origin, RP ID, challenge or a byte of the signature must fail it.
 */

interface Recording {
  readonly origin: string;
  readonly rpId: string;
  readonly registrationOptions: { readonly challenge: string };
  readonly registrationResponse: RegistrationResponseJSON;
  readonly authenticationOptions: { readonly challenge: string; readonly userVerification: string };
  readonly authenticationResponse: AuthenticationResponseJSON;
}

const recording = JSON.parse(
  readFileSync(path.resolve(__dirname, '../fixtures/webauthn/chromium-ceremony.json'), 'utf8'),
) as Recording;

const config: PasskeysConfig = { rpId: recording.rpId, rpName: 'Tollgate test', origins: [recording.origin] };

async function registeredPasskey(party = new RelyingParty(config)): Promise<PasskeyRecord> {
  const verified = await party.verifyRegistration(
    recording.registrationResponse,
    recording.registrationOptions.challenge,
  );
  return {
    id: 'recorded',
    userId: 'recorded-user',
    credentialId: verified.credentialId,
    userHandle: recording.authenticationResponse.response.userHandle!,
    publicKey: verified.publicKey,
    signCount: verified.signCount,
    transports: verified.transports,
    deviceType: verified.deviceType,
    backedUp: verified.backedUp,
    aaguid: verified.aaguid,
    name: 'Chromium',
    createdAt: new Date(0),
    lastUsedAt: null,
  };
}

describe('a registration and a login recorded from Chromium', () => {
  it('reads as the API reads them, each naming the challenge it answers', () => {
    const registration = readRegistrationResponse(JSON.stringify(recording.registrationResponse));
    expect(registration.challenge).toBe(recording.registrationOptions.challenge);
    const login = readAuthenticationResponse(JSON.stringify(recording.authenticationResponse));
    expect(login.challenge).toBe(recording.authenticationOptions.challenge);
  });

  it('verifies the registration: a discoverable, single-device credential with a counter', async () => {
    const passkey = await registeredPasskey();
    expect(passkey.credentialId).toBe(recording.registrationResponse.id);
    expect(passkey.deviceType).toBe('singleDevice');
    expect(passkey.backedUp).toBe(false);
  });

  it('verifies the login against the registered key, user verified, with a counter that moved forward', async () => {
    const passkey = await registeredPasskey();
    const signed = await new RelyingParty(config).verifyAssertion(
      recording.authenticationResponse,
      recording.authenticationOptions.challenge,
      passkey,
    );
    expect(signed.signCount).toBeGreaterThan(passkey.signCount);
    expect(counterRegressed(passkey.signCount, signed.signCount)).toBe(false);
    // The same assertion presented again is a clone's signature: its counter no longer moves forward.
    expect(counterRegressed(signed.signCount, signed.signCount)).toBe(true);
  });

  it.each<[string, PasskeysConfig]>([
    ['another origin', { ...config, origins: ['http://localhost:1'] }],
    ['the origin over https', { ...config, origins: [recording.origin.replace('http:', 'https:')] }],
    ['another RP ID', { ...config, rpId: 'example.com', origins: ['https://example.com'] }],
  ])('refuses both ceremonies for %s', async (_, other) => {
    const party = new RelyingParty(other);
    await expect(
      party.verifyRegistration(recording.registrationResponse, recording.registrationOptions.challenge),
    ).rejects.toThrow();
    const passkey = await registeredPasskey();
    await expect(
      party.verifyAssertion(recording.authenticationResponse, recording.authenticationOptions.challenge, passkey),
    ).rejects.toThrow();
  });

  it("refuses the login for another challenge, the registration's included", async () => {
    const passkey = await registeredPasskey();
    const party = new RelyingParty(config);
    for (const challenge of [recording.registrationOptions.challenge, Buffer.alloc(32).toString('base64url')]) {
      await expect(party.verifyAssertion(recording.authenticationResponse, challenge, passkey)).rejects.toThrow();
    }
  });

  it('refuses the login with one bit of its signature, its authenticator data or its client data changed', async () => {
    const passkey = await registeredPasskey();
    const party = new RelyingParty(config);
    for (const field of ['signature', 'authenticatorData', 'clientDataJSON'] as const) {
      const bytes = Buffer.from(recording.authenticationResponse.response[field], 'base64url');
      bytes[bytes.length - 1]! ^= 0x01;
      const tampered: AuthenticationResponseJSON = {
        ...recording.authenticationResponse,
        response: { ...recording.authenticationResponse.response, [field]: bytes.toString('base64url') },
      };
      await expect(
        party.verifyAssertion(tampered, recording.authenticationOptions.challenge, passkey),
      ).rejects.toThrow();
    }
  });

  it("refuses the login as the registration's answer (a get is not a create)", async () => {
    const party = new RelyingParty(config);
    const asRegistration = {
      ...recording.authenticationResponse,
      response: { ...recording.authenticationResponse.response, attestationObject: 'oA' },
    } as unknown as RegistrationResponseJSON;
    await expect(party.verifyRegistration(asRegistration, recording.authenticationOptions.challenge)).rejects.toThrow();
  });
});
