import { createHmac, hkdfSync } from 'node:crypto';

/**
 * A key for one purpose, derived from the signing secret with HKDF (RFC 5869), so no
 * key serves two jobs and none of them can be turned back into the secret.
 */
export function deriveKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `tollgate ${purpose}`, 32));
}

/**
 * HMAC-SHA256 of the parts, hex. For values too guessable to store even hashed (an
 * attempted email can be a mistyped password): without the key, no dictionary helps.
 */
export function keyedHash(key: Buffer, ...parts: readonly string[]): string {
  const mac = createHmac('sha256', key);
  // NUL-separated: ("ab", "c") and ("a", "bc") must not collide.
  parts.forEach((part, i) => mac.update(i === 0 ? part : `\0${part}`));
  return mac.digest('hex');
}
