import { createHash, type KeyObject } from 'node:crypto';
import { deriveKey } from '../keyed-hash';

export const MAX_KEY_ID_LENGTH = 64;
/**
 * What a kid may look like, in a token or as a file name. A kid is only ever a key of
 * an in-memory map, never a path or a query; refusing anything else (`../`, quotes,
 * NUL, 10 KB of text) before the lookup keeps it so, and keeps log lines clean.
 */
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID.test(value);
}

/**
 * The kid of the HS256 key: 72 bits of HKDF output, which identify the secret
 * across instances without revealing anything of it.
 */
export function hmacKeyId(secret: Buffer): string {
  return `hs256-${deriveKey(secret, 'jwt key id').subarray(0, 9).toString('base64url')}`;
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key: what a new key's kid is made from. */
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  // §3.2: the required members only, in lexicographic order, without whitespace.
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'RSA'
        ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
        : null;
  if (!members) throw new Error(`no thumbprint for a ${jwk.kty} key`);
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}
