import { execFile } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigError } from '../../src/config';
import { JWKS_PATH } from '../../src/server';
import { MeDocument } from '../generated/graphql';
import { flipSignatureBit } from '../helpers/forge';
import { TestKeyDirectory, headerOf } from '../helpers/signing-keys';
import { startTestServer, type TestServer } from '../helpers/test-server';

/*
 * Keys are the same on every database, so these run on SQLite only: what they prove is
 * what another service sees, over HTTP, with a library that is not ours.
 */
const VERIFIER = path.resolve(__dirname, '../fixtures/verify-with-jose.mjs');

interface JoseAnswer {
  readonly exitCode: number;
  readonly verified: boolean;
  readonly code?: string;
  readonly header?: Record<string, unknown>;
  readonly payload?: Record<string, unknown>;
}

/** `node test/fixtures/verify-with-jose.mjs <jwksUrl> <token> <issuer> <audience>`, in a process of its own. */
function verifyWithJose(jwksUrl: string, token: string, issuer: string, audience: string): Promise<JoseAnswer> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [VERIFIER, jwksUrl, token, issuer, audience],
      { timeout: 20_000 },
      (error, stdout, stderr) => {
        const exitCode = error ? error.code : 0;
        if (exitCode !== 0 && exitCode !== 1) return reject(new Error(`the verifier failed (${exitCode}): ${stderr}`));
        resolve({ exitCode, ...(JSON.parse(stdout) as { verified: boolean }) });
      },
    );
  });
}

const jwksUrlOf = (server: TestServer) => new URL(JWKS_PATH, server.url).href;
const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

describe.each(['ES256', 'RS256'] as const)('%s tokens, verified by another service through the JWKS', (alg) => {
  const directory = new TestKeyDirectory();
  let server: TestServer;
  let kid: string;

  beforeAll(async () => {
    kid = await directory.add(alg);
    await directory.promote(kid);
    // JWT_SECRET empty: no HS256 key at all, as in a deployment that never used one.
    server = await startTestServer('sqlite', {
      env: { JWT_ALGORITHM: alg, JWT_KEYS_DIR: directory.dir, JWT_SECRET: '' },
    });
  });
  afterAll(async () => {
    await server?.close();
    directory.dispose();
  });

  it('serves the public key with kid, alg and use, Cache-Control and a strong ETag', async () => {
    const res = await fetch(jwksUrlOf(server));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid, alg, use: 'sig', kty: alg === 'ES256' ? 'EC' : 'RSA' });
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'])
      expect(keys[0]).not.toHaveProperty(privateMember);
  });

  it('answers 304, without a body, to a matching If-None-Match', async () => {
    const etag = (await fetch(jwksUrlOf(server))).headers.get('etag')!;
    const res = await fetch(jwksUrlOf(server), { headers: { 'if-none-match': etag } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await res.text()).toBe('');
    expect((await fetch(jwksUrlOf(server), { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
  });

  it('issues tokens that jose accepts knowing only the JWKS URL, and Tollgate accepts too', async () => {
    const user = await server.signIn(`${alg.toLowerCase()}@example.com`);
    expect(headerOf(user.accessToken)).toEqual({ alg, typ: 'at+jwt', kid });
    const answer = await verifyWithJose(jwksUrlOf(server), user.accessToken, 'tollgate', 'tollgate-api');
    expect(answer).toMatchObject({ exitCode: 0, verified: true, header: { alg, kid }, payload: { sub: user.id } });
    expect((await server.execute(MeDocument, {}, { token: user.accessToken })).data!.me!.id).toBe(user.id);
  });

  it('has jose refuse a tampered token', async () => {
    const { accessToken } = await server.signIn(`tampered-${alg.toLowerCase()}@example.com`);
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const elevated = Buffer.from(JSON.stringify({ ...claims, roles: ['ADMIN'] })).toString('base64url');
    const url = jwksUrlOf(server);

    expect(await verifyWithJose(url, `${header}.${elevated}.${signature}`, 'tollgate', 'tollgate-api')).toMatchObject({
      exitCode: 1,
      verified: false,
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
    expect(await verifyWithJose(url, flipSignatureBit(accessToken), 'tollgate', 'tollgate-api')).toMatchObject({
      exitCode: 1,
      verified: false,
    });
  });
});

describe('the JWKS under HS256', () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer('sqlite')));
  afterAll(() => server?.close());

  it('is an empty set: the secret is never published', async () => {
    const res = await fetch(jwksUrlOf(server));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ keys: [] });
  });
});

describe('starting with a key directory that cannot sign', () => {
  it('refuses to start, naming JWT_KEYS_DIR, when no key is promoted', async () => {
    const directory = new TestKeyDirectory();
    try {
      await directory.add('ES256');
      const error = await startTestServer('sqlite', {
        env: { JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: directory.dir, JWT_SECRET: '' },
      }).then(
        async (server) => {
          await server.close();
          return null;
        },
        (caught: unknown) => caught,
      );
      expect((error as ConfigError).variable).toBe('JWT_KEYS_DIR');
      expect((error as Error).message).toMatch(/no key signs/);
    } finally {
      directory.dispose();
    }
  });
});

/*
 * The same proof with keys that come from mounted secret files or the environment instead of
 * a key directory: the kid is the key's thumbprint, and the second file is published before
 * it signs, so a verifier's cached JWKS already knows it when a rolling restart promotes it.
 */
describe('keys from JWT_PRIVATE_KEY_FILE and JWT_PRIVATE_KEY, verified through the JWKS', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-key-files-'));
  const pemOf = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }) as string;
  const [current, next] = [ecKey(), ecKey()];
  const currentFile = path.join(dir, 'current.pem');
  const nextFile = path.join(dir, 'next.pem');
  writeFileSync(currentFile, pemOf(current), { mode: 0o600 });
  writeFileSync(nextFile, pemOf(next), { mode: 0o600 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const signInAndVerify = async (env: Record<string, string>, email: string) => {
    const server = await startTestServer('sqlite', { env: { JWT_ALGORITHM: 'ES256', JWT_SECRET: '', ...env } });
    try {
      const user = await server.signIn(email);
      const { keys } = (await (await fetch(jwksUrlOf(server))).json()) as { keys: Array<{ kid: string }> };
      const answer = await verifyWithJose(jwksUrlOf(server), user.accessToken, 'tollgate', 'tollgate-api');
      return { kid: headerOf(user.accessToken).kid, published: keys.map((key) => key.kid), answer };
    } finally {
      await server.close();
    }
  };

  it('signs with the first file and publishes the second; jose accepts the token', async () => {
    const { kid, published, answer } = await signInAndVerify(
      { JWT_PRIVATE_KEY_FILE: `${currentFile},${nextFile}` },
      'files@example.com',
    );
    expect(kid).toMatch(/^es256-[A-Za-z0-9_-]{16}$/);
    expect(published).toHaveLength(2);
    expect(published[0]).toBe(kid);
    expect(answer).toMatchObject({ exitCode: 0, verified: true, header: { alg: 'ES256', kid } });

    // Promotion by a rolling restart with the list reversed: the same kids, the other one signs.
    const promoted = await signInAndVerify(
      { JWT_PRIVATE_KEY_FILE: `${nextFile},${currentFile}` },
      'promoted@example.com',
    );
    expect(promoted.kid).toBe(published[1]);
    expect(promoted.answer).toMatchObject({ exitCode: 0, verified: true });
  });

  it('signs with a key held in the environment (escaped newlines), with the kid the same key has as a file', async () => {
    const fromFile = await signInAndVerify({ JWT_PRIVATE_KEY_FILE: currentFile }, 'file-only@example.com');
    const escaped = pemOf(current).trimEnd().replaceAll('\n', '\\n');
    const fromEnvironment = await signInAndVerify({ JWT_PRIVATE_KEY: escaped }, 'environment@example.com');
    expect(fromEnvironment.kid).toBe(fromFile.kid);
    expect(fromEnvironment.published).toEqual([fromFile.kid]);
    expect(fromEnvironment.answer).toMatchObject({ exitCode: 0, verified: true });
  });
});
