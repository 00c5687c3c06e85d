import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { KeyRing } from '../../src/auth/keys/key-ring';
import { readSmallFile, refuseIfChangedWhileRead } from '../../src/auth/keys/key-directory';
import type { KeySource } from '../../src/auth/keys/key-source';
import { ConfigError, loadConfig } from '../../src/config';
import { TestClock } from '../helpers/clock';
import { capturingLogger } from '../helpers/capturing-logger';
import { TEST_RETIRED_KEY_LIFETIME_MS, loadTestKeyRing } from '../helpers/signing-keys';

/*
 * Private keys from a list of PEM files (JWT_PRIVATE_KEY_FILE: mounted secrets) or from the
 * environment (JWT_PRIVATE_KEY), beside the key directory: the first key signs, the others
 * verify; a key's kid is its thumbprint, the same on every instance whatever the file is called.
 */
const pemOf = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }) as string;
const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('loadConfig: where the signing keys come from', () => {
  it('reads JWT_PRIVATE_KEY_FILE as a comma-separated list of files, resolved from the working directory', () => {
    const { source } = loadConfig(
      { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: 'keys/a.pem, /run/secrets/b.pem' },
      '/srv/app',
    ).signingKeys;
    expect(source).toEqual({
      kind: 'files',
      variable: 'JWT_PRIVATE_KEY_FILE',
      files: ['/srv/app/keys/a.pem', '/run/secrets/b.pem'],
    });
  });

  it('reads JWT_PRIVATE_KEY as PEM text, with real newlines or "\\n" escapes', () => {
    const pem = pemOf(ecKey());
    const escaped = pem.trimEnd().replaceAll('\n', '\\n');
    for (const value of [pem, escaped]) {
      const { source } = loadConfig({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: value }).signingKeys;
      expect(source).toMatchObject({ kind: 'environment', variable: 'JWT_PRIVATE_KEY' });
      expect((source as Extract<KeySource, { kind: 'environment' }>).pem.trim()).toBe(pem.trim());
    }
  });

  it.each<[string, Record<string, string>]>([
    ['JWT_PRIVATE_KEY_FILE', { JWT_KEYS_DIR: '/keys', JWT_PRIVATE_KEY_FILE: '/a.pem' }],
    ['JWT_PRIVATE_KEY', { JWT_KEYS_DIR: '/keys', JWT_PRIVATE_KEY: pemOf(ecKey()) }],
    ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY_FILE: '/a.pem', JWT_PRIVATE_KEY: pemOf(ecKey()) }],
    ['JWT_PRIVATE_KEY_FILE', { JWT_PRIVATE_KEY_FILE: '/a.pem,,/b.pem' }],
    ['JWT_PRIVATE_KEY_FILE', { JWT_PRIVATE_KEY_FILE: '/a.pem, ' }],
    ['JWT_PRIVATE_KEY_FILE', { JWT_PRIVATE_KEY_FILE: '/a.pem,/x/../a.pem' }],
    ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: '/run/secrets/key.pem' }],
    ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n' }],
  ])('refuses %s when it is wrong or combined with another source', (variable, env) => {
    const error = configErrorOf(() => loadConfig({ JWT_ALGORITHM: 'ES256', ...env }));
    expect(error.variable).toBe(variable);
    // Base64 of a DER private key starts with MIG or MII: no message may carry one.
    expect(error.message).not.toMatch(/MI[GI]/);
  });

  it('names every source when ES256 has none', () => {
    const error = configErrorOf(() => loadConfig({ JWT_ALGORITHM: 'ES256' }));
    expect(error.variable).toBe('JWT_KEYS_DIR');
    expect(error.message).toMatch(/JWT_PRIVATE_KEY_FILE or JWT_PRIVATE_KEY/);
  });

  it.each(['JWT_PRIVATE_KEY_FILE', 'JWT_KEYS_DIR'])(
    'refuses a key pasted into %s (where its path belongs) without quoting it',
    (variable) => {
      const pem = pemOf(ecKey());
      for (const value of [pem, pem.trimEnd().replaceAll('\n', '\\n')]) {
        const error = configErrorOf(() => loadConfig({ JWT_ALGORITHM: 'ES256', [variable]: value }));
        expect(error.variable).toBe(variable);
        expect(error.message).toMatch(/holds PEM text, not a path/);
        expect(error.message).not.toMatch(/MI[GI]/);
      }
    },
  );

  it('accepts the forms keys come in: escaped newlines with a real one at the end, EC parameters first', () => {
    const pem = pemOf(ecKey());
    const escapedWithNewline = pem.trimEnd().replaceAll('\n', '\\n') + '\n';
    expect(
      loadConfig({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: escapedWithNewline }).signingKeys.source,
    ).toMatchObject({
      pem: pem.trim(),
    });
  });
});

describe('one PEM parser for every source', () => {
  const clock = new TestClock();
  const fromEnvironment = (pem: string): KeySource => ({ kind: 'environment', variable: 'JWT_PRIVATE_KEY', pem });

  it('skips the EC PARAMETERS block openssl ecparam -genkey writes first', async () => {
    const key = ecKey();
    const parameters = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    const traditional = key.export({ format: 'pem', type: 'sec1' }) as string;
    const ring = await loadTestKeyRing(clock, {
      algorithm: 'ES256',
      source: fromEnvironment(parameters + traditional),
    });
    expect(ring.signingKey().alg).toBe('ES256');
  });

  it.each<[string, () => string]>([
    ['two private keys joined together', () => pemOf(ecKey()) + pemOf(ecKey())],
    [
      'a key with its public key',
      () =>
        pemOf(ecKey()) + (ecKey().export({ format: 'pem', type: 'pkcs8' }) as string).replaceAll('PRIVATE', 'PUBLIC'),
    ],
  ])('refuses %s rather than silently use the first', async (_what, pem) => {
    const start = loadTestKeyRing(clock, { algorithm: 'ES256', source: fromEnvironment(pem()) });
    await expect(start).rejects.toMatchObject({
      variable: 'JWT_PRIVATE_KEY',
      message: expect.stringMatching(/2 PEM blocks/),
    });
  });

  it('refuses a cut-off key at start-up without quoting any of it', async () => {
    const pem = pemOf(ecKey());
    const start = loadTestKeyRing(clock, {
      algorithm: 'ES256',
      source: fromEnvironment(pem.slice(0, pem.length - 40)),
    });
    await expect(start).rejects.toMatchObject({ message: expect.stringMatching(/not an unencrypted PEM private key/) });
    await expect(start).rejects.toMatchObject({ message: expect.not.stringMatching(/MI[GI]/) });
  });
});

describe('the key ring over a list of PEM files', () => {
  const clock = new TestClock();
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tollgate-key-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, key: KeyObject | string) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof key === 'string' ? key : pemOf(key), { mode: 0o600 });
    return file;
  };
  const files = (...list: string[]): KeySource => ({ kind: 'files', variable: 'JWT_PRIVATE_KEY_FILE', files: list });

  it('signs with the first key, and publishes and verifies with the others', async () => {
    const [first, second] = [ecKey(), ecKey()];
    const ring = await loadTestKeyRing(clock, {
      algorithm: 'ES256',
      source: files(write('current.pem', first), write('next.pem', second)),
    });
    const signing = ring.signingKey();
    expect(signing.kid).toMatch(/^es256-[A-Za-z0-9_-]{16}$/);
    expect(ring.status().map(({ kid, state }) => [kid, state])).toEqual([
      [signing.kid, 'signing'],
      [expect.not.stringMatching(signing.kid), 'published'],
    ]);
    const published = ring.status()[1]!.kid;
    const { x, y } = second.export({ format: 'jwk' });
    expect(ring.find(published)?.verificationKey.export({ format: 'jwk' })).toEqual({ kty: 'EC', crv: 'P-256', x, y });
    const jwks = JSON.parse(ring.jwks().body) as { keys: Array<{ kid: string; d?: string }> };
    expect(jwks.keys.map((key) => key.kid)).toEqual([signing.kid, published]);
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
  });

  it('gives a key the same kid whatever its file is called and wherever it comes from', async () => {
    const key = ecKey();
    const fromFile = await loadTestKeyRing(clock, { algorithm: 'ES256', source: files(write('a.pem', key)) });
    const renamed = await loadTestKeyRing(clock, { algorithm: 'ES256', source: files(write('other-name.pem', key)) });
    const fromEnvironment = await loadTestKeyRing(clock, {
      algorithm: 'ES256',
      source: { kind: 'environment', variable: 'JWT_PRIVATE_KEY', pem: pemOf(key) },
    });
    expect(renamed.signingKey().kid).toBe(fromFile.signingKey().kid);
    expect(fromEnvironment.signingKey().kid).toBe(fromFile.signingKey().kid);
  });

  it('signs tokens a verifier checks with the published public key, and takes the algorithm from the key', async () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ring = await loadTestKeyRing(clock, {
      algorithm: 'RS256',
      source: { kind: 'environment', variable: 'JWT_PRIVATE_KEY', pem: pemOf(key) },
    });
    const signing = ring.signingKey();
    expect(signing.alg).toBe('RS256');
    const token = jwt.sign({ sub: 'x' }, signing.privateKey, { algorithm: 'RS256', keyid: signing.kid });
    expect(jwt.verify(token, ring.find(signing.kid)!.verificationKey, { algorithms: ['RS256'] })).toMatchObject({
      sub: 'x',
    });
  });

  const refused: Array<[string, () => KeySource, RegExp]> = [
    ['a file that does not exist', () => files(path.join(dir, 'missing.pem')), /missing\.pem does not exist/],
    [
      'a directory in the list',
      () => {
        mkdirSync(path.join(dir, 'keys'));
        return files(path.join(dir, 'keys'));
      },
      /is a directory: a directory of <kid>\.pem keys is JWT_KEYS_DIR/,
    ],
    [
      'an Ed25519 key',
      () => files(write('ed.pem', generateKeyPairSync('ed25519').privateKey)),
      /ed\.pem is an ed25519 key/,
    ],
    [
      'a P-384 key',
      () => files(write('p384.pem', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)),
      /p384\.pem is an EC secp384r1 key/,
    ],
    [
      'an RS256 key first while JWT_ALGORITHM is ES256',
      () => files(write('rsa.pem', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)),
      /is an RS256 key but JWT_ALGORITHM is ES256/,
    ],
    ['a file that is not a key', () => files(write('junk.pem', 'not a key\n')), /junk\.pem is not an unencrypted PEM/],
    [
      'the same key twice under two names',
      () => {
        const key = ecKey();
        return files(write('one.pem', key), write('two.pem', key));
      },
      /the same key is listed twice/,
    ],
    [
      'an environment key that is not a key',
      () => ({
        kind: 'environment',
        variable: 'JWT_PRIVATE_KEY',
        pem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      }),
      /the key is not an unencrypted PEM private key/,
    ],
  ];

  it.each(refused)('refuses to start with %s, naming the variable', async (_what, source, message) => {
    const resolved = source();
    const start = loadTestKeyRing(clock, { algorithm: 'ES256', source: resolved });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toMatchObject({ variable: resolved.variable, message: expect.stringMatching(message) });
  });

  it('warns about a key file others can read', async () => {
    const file = write('loose.pem', ecKey());
    chmodSync(file, 0o644);
    const { logger, lines } = capturingLogger('warn');
    await KeyRing.load({
      algorithm: 'ES256',
      secret: null,
      source: files(file),
      retiredKeyLifetimeMs: TEST_RETIRED_KEY_LIFETIME_MS,
      reloadIntervalMs: 1000,
      now: clock.now,
      logger,
    });
    expect(lines).toEqual([
      expect.objectContaining({ msg: `${file} in JWT_PRIVATE_KEY_FILE can be read by other users: chmod 600 it` }),
    ]);
  });

  it('picks up a file a secret store rewrote at the next reload, and keeps its keys when the rewrite is broken', async () => {
    const [before, after] = [ecKey(), ecKey()];
    const file = write('signing.pem', before);
    const ring = await loadTestKeyRing(clock, { algorithm: 'ES256', source: files(file) });
    const oldKid = ring.signingKey().kid;

    writeFileSync(file, 'half-written');
    expect(await ring.reload()).toBe(false);
    expect(ring.signingKey().kid).toBe(oldKid);

    writeFileSync(file, pemOf(after));
    expect(await ring.reload()).toBe(true);
    expect(ring.signingKey().kid).not.toBe(oldKid);
    // A key that left the list verifies nothing more: a rotation keeps it listed until its tokens expire.
    expect(ring.find(oldKid)).toBeNull();
  });

  it('refuses a FIFO swapped in for a key file at once, instead of blocking every later reload', async () => {
    const file = write('next.pem', ecKey());
    const ring = await loadTestKeyRing(clock, {
      algorithm: 'ES256',
      source: files(write('current.pem', ecKey()), file),
    });
    rmSync(file);
    execFileSync('mkfifo', [file]);
    // Without a writer, a blocking open() would never return; non-blocking, it is refused as "not a file".
    expect(await ring.reload()).toBe(false);
    rmSync(file);
    writeFileSync(file, pemOf(ecKey()), { mode: 0o600 });
    expect(await ring.reload()).toBe(true);
  });

  it('refuses a set of files one of which changed while the set was read', async () => {
    const file = write('current.pem', ecKey());
    const { identity } = await readSmallFile(file, 16 * 1024);
    await expect(refuseIfChangedWhileRead([[file, identity]])).resolves.toBeUndefined();
    writeFileSync(file, pemOf(ecKey()));
    await expect(refuseIfChangedWhileRead([[file, identity]])).rejects.toThrow(
      /current\.pem changed while the keys were read/,
    );
  });

  it('shares one queued read among the reloads asked for while a read runs', async () => {
    const ring = await loadTestKeyRing(clock, { algorithm: 'ES256', source: files(write('current.pem', ecKey())) });
    const first = ring.reload();
    const [second, third] = [ring.reload(), ring.reload()];
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    expect(await Promise.all([first, second, third])).toEqual([true, true, true]);
  });

  it('does not poll the environment, which cannot change', async () => {
    const ring = await loadTestKeyRing(clock, {
      algorithm: 'ES256',
      source: { kind: 'environment', variable: 'JWT_PRIVATE_KEY', pem: pemOf(ecKey()) },
    });
    ring.start();
    expect((ring as unknown as { timer: unknown }).timer).toBeNull();
    ring.close();
  });
});
