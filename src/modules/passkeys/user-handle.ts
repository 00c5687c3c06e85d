import { createHmac } from 'node:crypto';
import { isoBase64URL } from '@simplewebauthn/server/helpers';

/**
 * The WebAuthn user handle of a user: HMAC-SHA256 of their id under a derived key. Stable
 * (every passkey of one account holds the same handle, so an authenticator keeps one
 * credential per account) and opaque: the spec forbids identifying information in it, and
 * the handle is readable by anyone holding the authenticator. Stored with each passkey,
 * so a check never depends on recomputing it.
 */
export function userHandleOf(key: Buffer, userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHmac('sha256', key).update(userId).digest());
}

export function encodedUserHandleOf(key: Buffer, userId: string): string {
  return isoBase64URL.fromBuffer(userHandleOf(key, userId));
}
