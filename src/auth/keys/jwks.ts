import { createHash } from 'node:crypto';
import type { SigningKey } from './signing-key';

/** RFC 7517 §4: a public key, with the one algorithm it verifies and its use. */
export interface PublicJwk {
  readonly kty: 'EC' | 'RSA';
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
}

/** The JWKS as served: the exact bytes and their strong ETag, computed once per change. */
export interface JwksDocument {
  readonly body: string;
  readonly etag: string;
  readonly keys: readonly PublicJwk[];
}

/**
 * The public half of an asymmetric key, member by member (never a spread of the export,
 * so no private member can ever slip in); null for the HS256 secret, which is never published.
 */
export function publicJwk(key: SigningKey): PublicJwk | null {
  if (key.verificationKey.type !== 'public') return null;
  const jwk = key.verificationKey.export({ format: 'jwk' });
  const common = { kid: key.kid, alg: key.alg, use: 'sig' as const };
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv!, x: jwk.x!, y: jwk.y!, ...common };
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n!, e: jwk.e!, ...common };
  return null;
}

export function jwksDocument(keys: readonly SigningKey[]): JwksDocument {
  const jwks = keys.map(publicJwk).filter((jwk): jwk is PublicJwk => jwk !== null);
  const body = JSON.stringify({ keys: jwks });
  // Strong (RFC 9110 §8.8.1): the same bytes, and only the same bytes, have this tag.
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, etag, keys: jwks };
}

/** RFC 9110 §13.1.2: If-None-Match compares weakly, and `*` matches any current representation. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}
