import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { TEST_JWT_SECRET } from './test-server';

/** Hand-built JWTs for hostile tests: any header, any claims, any algorithm. */
const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export interface ForgeOptions {
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  readonly secret?: string;
}

export function baseClaims(nowSeconds: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: '00000000-0000-4000-8000-000000000000',
    sid: '00000000-0000-4000-8000-00000000000a',
    rv: 1,
    roles: ['ADMIN'],
    jti: 'forged',
    iat: nowSeconds,
    exp: nowSeconds + 600,
    iss: 'tollgate',
    aud: 'tollgate-api',
    ...overrides,
  };
}

/** HMAC-signed with our real test secret unless told otherwise: only the named part is wrong. */
export function forgeHmac(options: ForgeOptions & { alg?: 'HS256' | 'HS384' | 'HS512' }): string {
  const alg = options.alg ?? 'HS256';
  const header = { alg, typ: 'at+jwt', ...options.header };
  const input = `${b64(header)}.${b64(options.claims ?? {})}`;
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  const signature = createHmac(digest, options.secret ?? TEST_JWT_SECRET)
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}

export function forgeUnsigned(claims: Record<string, unknown>, alg: string): string {
  return `${b64({ alg, typ: 'at+jwt' })}.${b64(claims)}.`;
}

export function forgeRs256(claims: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const input = `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${b64(claims)}`;
  return `${input}.${rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** Flips one bit of the signature's first byte. */
export function flipSignatureBit(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0]! ^= 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}
