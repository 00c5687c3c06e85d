import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals TOTP secrets at rest with AES-256-GCM under a key derived from REFRESH_TOKEN_SECRET
 * (never stored in the database): a dump of the database gives away no second factor. The
 * user id is authenticated data, so a sealed secret copied onto another user's row does not open.
 */
export class TotpSecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new TypeError('TotpSecretBox needs a 256-bit key');
  }

  seal(userId: string, secret: Buffer): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(userId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(secret), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** Throws when the value was not sealed by this key for this user (tampering, another key). */
  open(userId: string, sealed: string): Buffer {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) throw new Error('sealed TOTP secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(userId, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  }
}
