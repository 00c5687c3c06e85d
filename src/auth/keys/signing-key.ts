import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { hmacKeyId } from './key-id';

/** The algorithms Tollgate signs with. jsonwebtoken 9 has no EdDSA. */
export type SigningAlgorithm = 'HS256' | 'ES256' | 'RS256';
export type AsymmetricAlgorithm = Exclude<SigningAlgorithm, 'HS256'>;
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['HS256', 'ES256', 'RS256'];
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['ES256', 'RS256'];

/** RFC 7518 §3.3: RS256 keys of 2048 bits or more. */
export const MIN_RSA_BITS = 2048;

/**
 * One key, its identifier and the one algorithm it is used with. The algorithm
 * belongs to the key: a token's `alg` header is only ever checked against it.
 */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** What signs: the private key, or the HMAC secret. */
  readonly privateKey: KeyObject;
  /** What verifies: the public key, or (HS256) the same secret, which is never published. */
  readonly verificationKey: KeyObject;
}

/** What access tokens need from the keys: one that signs, and a lookup that never touches a file. */
export interface SigningKeys {
  /** The key new tokens are signed with. */
  signingKey(): SigningKey;
  /**
   * The key that verifies a token naming `kid`, or null. A token without a kid (issued
   * before tokens carried one) can only be an HS256 token signed with the secret.
   */
  find(kid: string | undefined): SigningKey | null;
}

/** HS256 over the secret, with a kid derived from it that reveals nothing of it. */
export function hmacSigningKey(secret: Buffer): SigningKey {
  // Built once: jsonwebtoken given a string secret re-parses it as a key on every call.
  const key = createSecretKey(secret);
  return Object.freeze({ kid: hmacKeyId(secret), alg: 'HS256', privateKey: key, verificationKey: key });
}

/** A fixed set: the one HS256 key, as tokens were before keys could rotate. */
export function staticSigningKeys(key: SigningKey): SigningKeys {
  return {
    signingKey: () => key,
    find: (kid) => (kid === undefined || kid === key.kid ? key : null),
  };
}

/** Names a key: a fixed kid (the directory's file name), or one made from the key (its thumbprint). */
export type KeyIdOf = string | ((publicKey: KeyObject, alg: AsymmetricAlgorithm) => string);

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----/g;
/** `openssl ecparam -genkey` writes the curve's parameters before the key: harmless, and skipped. */
const IGNORED_BLOCKS = new Set(['EC PARAMETERS']);

/**
 * Reads a PKCS#8 or traditional PEM private key. The algorithm follows from the key:
 * EC P-256 is ES256, RSA of at least 2048 bits is RS256; anything else is refused. Exactly
 * one private key per text: two joined together (current + next in one file) would
 * otherwise silently lose the second, and a certificate or public key beside it is a mistake.
 */
export function asymmetricKeyFromPem(kidOf: KeyIdOf, pem: string | Buffer): SigningKey {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const blocks = [...text.matchAll(PEM_BLOCK)].map((match) => match[1]!).filter((label) => !IGNORED_BLOCKS.has(label));
  if (blocks.length > 1) {
    throw new Error(`holds ${blocks.length} PEM blocks (${blocks.join(', ')}); one private key is expected`);
  }
  let privateKey: KeyObject;
  try {
    if (blocks.length !== 1 || !blocks[0]!.endsWith('PRIVATE KEY')) throw new Error('not a private key');
    privateKey = createPrivateKey(text);
  } catch {
    // Not the library's message: it can quote the file's first bytes.
    throw new Error('is not an unencrypted PEM private key');
  }
  const alg = asymmetricAlgorithmOf(privateKey);
  const verificationKey = createPublicKey(privateKey);
  const kid = typeof kidOf === 'string' ? kidOf : kidOf(verificationKey, alg);
  return Object.freeze({ kid, alg, privateKey, verificationKey });
}

export function asymmetricAlgorithmOf(key: KeyObject): AsymmetricAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
      throw new Error(`is an RSA key of ${details.modulusLength} bits; RS256 needs at least ${MIN_RSA_BITS}`);
    }
    return 'RS256';
  }
  const what = key.asymmetricKeyType === 'ec' ? `an EC ${details.namedCurve} key` : `an ${key.asymmetricKeyType} key`;
  throw new Error(`is ${what}; Tollgate signs with EC P-256 (ES256) or RSA (RS256) keys`);
}
