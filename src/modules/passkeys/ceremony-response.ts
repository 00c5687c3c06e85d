import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';

/** A browser's answer is a few kilobytes; a credential id is at most 1,023 bytes (WebAuthn §5.1). */
export const MAX_RESPONSE_LENGTH = 32_768;
const MAX_CREDENTIAL_ID_LENGTH = 1364;

/** Why a response could not even be read; the caller turns it into its one vague error. */
export class UnreadableResponse extends Error {}

/**
 * A response as the browser's `PublicKeyCredential.toJSON()` (or @simplewebauthn/browser) gives
 * it, read from the client's string: checked for shape only, and the challenge it claims to
 * answer, which only says which pending ceremony to take. The library then checks that the
 * signed client data holds that exact challenge.
 */
export interface ReadResponse<T> {
  readonly json: T;
  readonly challenge: string;
}

export function readRegistrationResponse(raw: string): ReadResponse<RegistrationResponseJSON> {
  const json = readCredential(raw);
  if (typeof record(json.response).attestationObject !== 'string') throw new UnreadableResponse('no attestationObject');
  return { json: json as unknown as RegistrationResponseJSON, challenge: challengeOf(json) };
}

export function readAuthenticationResponse(raw: string): ReadResponse<AuthenticationResponseJSON> {
  const json = readCredential(raw);
  const response = record(json.response);
  if (typeof response.authenticatorData !== 'string' || typeof response.signature !== 'string') {
    throw new UnreadableResponse('no authenticatorData or signature');
  }
  if (response.userHandle !== undefined && typeof response.userHandle !== 'string') {
    throw new UnreadableResponse('userHandle is not a string');
  }
  return { json: json as unknown as AuthenticationResponseJSON, challenge: challengeOf(json) };
}

function readCredential(raw: string): Record<string, unknown> {
  if (raw.length > MAX_RESPONSE_LENGTH) throw new UnreadableResponse('too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UnreadableResponse('not JSON');
  }
  const json = record(parsed);
  if (typeof json.id !== 'string' || json.id.length === 0 || json.id.length > MAX_CREDENTIAL_ID_LENGTH) {
    throw new UnreadableResponse('bad id');
  }
  if (!isoBase64URL.isBase64URL(json.id) || json.rawId !== json.id || json.type !== 'public-key') {
    throw new UnreadableResponse('bad id, rawId or type');
  }
  if (typeof record(json.response).clientDataJSON !== 'string') throw new UnreadableResponse('no clientDataJSON');
  if (json.clientExtensionResults === undefined) json.clientExtensionResults = {};
  return json;
}

function challengeOf(json: Record<string, unknown>): string {
  const clientDataJSON = record(json.response).clientDataJSON as string;
  let clientData: unknown;
  try {
    clientData = JSON.parse(isoBase64URL.toUTF8String(clientDataJSON));
  } catch {
    throw new UnreadableResponse('clientDataJSON is not JSON');
  }
  const { challenge } = record(clientData);
  if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 256) {
    throw new UnreadableResponse('no challenge');
  }
  return challenge;
}

function record(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UnreadableResponse('not an object');
  return value as Record<string, unknown>;
}
