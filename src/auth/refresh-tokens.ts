import { createHash, createHmac, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: 43 characters. */
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface RefreshTokenCrypto {
  /** A new, random refresh token for a new session. */
  generate(): string;
  /** What the database stores. Tokens carry 256 bits of entropy, so a fast hash cannot be brute-forced. */
  hash(token: string): string;
  /**
   * The token that replaces `token` at rotation, derived rather than drawn at random:
   * every concurrent refresh with the same token computes the same successor, so all of
   * them can be answered identically while the database holds only hashes.
   */
  successor(token: string): string;
  /** The `jti` of the access token issued with `successor(token)`, for the same reason. */
  successorTokenId(token: string): string;
  isWellFormed(token: string): boolean;
}

/** `rotationKey` serves this one purpose (see deriveKey): no other key can compute successors. */
export function createRefreshTokenCrypto(rotationKey: Buffer): RefreshTokenCrypto {
  const mac = (label: string, token: string) => createHmac('sha256', rotationKey).update(label).update(token).digest();
  return {
    generate: () => randomBytes(TOKEN_BYTES).toString('base64url'),
    hash: (token) => createHash('sha256').update(token).digest('hex'),
    successor: (token) => mac('next:', token).toString('base64url'),
    successorTokenId: (token) => mac('jti:', token).subarray(0, 16).toString('hex'),
    isWellFormed: (token) => TOKEN_SHAPE.test(token),
  };
}
