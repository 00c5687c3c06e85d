import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { describeError, type ProblemDescription } from '../errors/describe-error';

/**
 * The browser's half of a passkey ceremony: the server's options (a JSON string) in, the
 * browser's answer (a JSON string, for the matching finish mutation) out. Failures of the
 * browser's own (cancelled, timed out, an authenticator that already holds a passkey for this
 * account) become sentences, as the server's errors do.
 */
export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

export async function createPasskey(options: string): Promise<string> {
  try {
    const optionsJSON = JSON.parse(options) as PublicKeyCredentialCreationOptionsJSON;
    return JSON.stringify(await startRegistration({ optionsJSON }));
  } catch (error) {
    throw ceremonyProblem(error, 'create');
  }
}

export async function answerWithPasskey(options: string): Promise<string> {
  try {
    const optionsJSON = JSON.parse(options) as PublicKeyCredentialRequestOptionsJSON;
    return JSON.stringify(await startAuthentication({ optionsJSON }));
  } catch (error) {
    throw ceremonyProblem(error, 'use');
  }
}

/** A browser refusal, in words: it never reached the server. */
export class PasskeyCeremonyProblem extends Error {}

/**
 * What the person is told when a passkey step fails: the browser's refusal, the server's one
 * vague answer to a failed ceremony (by design it says no more), or any other request error.
 */
export function describePasskeyProblem(error: unknown): ProblemDescription {
  if (error instanceof PasskeyCeremonyProblem) return { message: error.message };
  if (CombinedGraphQLErrors.is(error) && error.errors[0]?.extensions?.reason === 'PASSKEY_INVALID') {
    return { message: 'That passkey could not be verified. Please try again, or log in with your password.' };
  }
  return describeError(error);
}

function ceremonyProblem(error: unknown, what: 'create' | 'use'): PasskeyCeremonyProblem {
  const name = error instanceof Error ? error.name : '';
  if (name === 'InvalidStateError') {
    return new PasskeyCeremonyProblem('This device already holds a passkey for your account.');
  }
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return new PasskeyCeremonyProblem(
      what === 'create'
        ? 'No passkey was created: the request was cancelled or timed out.'
        : 'No passkey was used: the request was cancelled or timed out.',
    );
  }
  if (name === 'SecurityError') {
    return new PasskeyCeremonyProblem('Passkeys are not available on this address.');
  }
  return new PasskeyCeremonyProblem('Your browser could not complete the passkey request. Please try again.');
}
