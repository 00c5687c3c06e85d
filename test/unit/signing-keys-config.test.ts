import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import {
  REFRESH_SECRET_FILE_NAME,
  loadOrCreateRefreshSecret,
  loadOrCreateSigningSecret,
} from '../../src/auth/signing-secret';
import { ConfigError, loadConfig } from '../../src/config';
import { TestClock } from '../helpers/clock';
import { TestKeyDirectory, loadTestKeyRing } from '../helpers/signing-keys';

const SECRET = 's'.repeat(32);
const REFRESH = 'r'.repeat(32);

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('loadConfig: signing algorithm, key directory and refresh-token secret', () => {
  it('defaults to HS256 with no key directory, reloads every 30 s and lets the JWKS be cached 5 minutes', () => {
    expect(loadConfig({}, '/srv/app')).toMatchObject({
      signingKeys: { algorithm: 'HS256', source: null, reloadIntervalSeconds: 30, jwksMaxAgeSeconds: 300 },
      refreshTokenSecret: null,
    });
  });

  it('needs no JWT_SECRET in production under ES256, and keeps one if given (it then only verifies)', () => {
    const env = {
      NODE_ENV: 'production',
      JWT_ALGORITHM: 'ES256',
      JWT_KEYS_DIR: '/etc/tollgate/keys',
      // No mail server here: the flows that send mail are off.
      EMAIL_VERIFICATION: 'false',
      PASSWORD_RESET: 'false',
    };
    expect(loadConfig({ ...env, REFRESH_TOKEN_SECRET: REFRESH }).jwt.secret).toBeNull();
    expect(loadConfig({ ...env, REFRESH_TOKEN_SECRET: REFRESH, JWT_SECRET: SECRET }).jwt.secret?.toString()).toBe(
      SECRET,
    );
  });

  it.each<[string, Record<string, string>]>([
    ['JWT_ALGORITHM', { JWT_ALGORITHM: 'es256' }],
    ['JWT_ALGORITHM', { JWT_ALGORITHM: 'none' }],
    ['JWT_ALGORITHM', { JWT_ALGORITHM: 'HS512' }],
    ['JWT_ALGORITHM', { JWT_ALGORITHM: 'EdDSA' }],
    ['JWT_KEYS_DIR', { JWT_ALGORITHM: 'ES256' }],
    ['JWT_KEYS_DIR', { JWT_ALGORITHM: 'RS256', JWT_KEYS_DIR: '  ' }],
    ['JWT_KEYS_RELOAD_INTERVAL', { JWT_KEYS_RELOAD_INTERVAL: '0' }],
    ['JWT_KEYS_RELOAD_INTERVAL', { JWT_KEYS_RELOAD_INTERVAL: '2h' }],
    ['JWKS_MAX_AGE', { JWKS_MAX_AGE: '2d' }],
    ['REFRESH_TOKEN_SECRET', { REFRESH_TOKEN_SECRET: 'r'.repeat(31) }],
    ['REFRESH_TOKEN_SECRET', { NODE_ENV: 'production', JWT_SECRET: SECRET }],
    ['REFRESH_TOKEN_SECRET', { NODE_ENV: 'production', JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: '/keys' }],
    ['JWT_SECRET', { NODE_ENV: 'production', REFRESH_TOKEN_SECRET: REFRESH }],
  ])('refuses a bad or missing %s with a message that names it', (variable, env) => {
    const error = configErrorOf(() => loadConfig(env));
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}:`)).toBe(true);
  });

  it('never echoes a rejected refresh-token secret', () => {
    expect(configErrorOf(() => loadConfig({ REFRESH_TOKEN_SECRET: 'hunter2-short' })).message).not.toContain('hunter2');
  });

  it('tells an upgrading operator how to keep every derived key', () => {
    expect(configErrorOf(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET })).message).toMatch(
      /value of JWT_SECRET/,
    );
  });
});

describe('the key directory at start-up', () => {
  const clock = new TestClock();
  let directory: TestKeyDirectory;
  beforeEach(() => (directory = new TestKeyDirectory()));
  afterEach(() => directory.dispose());

  const load = (algorithm: 'ES256' | 'RS256' = 'ES256', keysDir = directory.dir) =>
    loadTestKeyRing(clock, { algorithm, keysDir });
  const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
    key.export({ format: 'pem', type: 'pkcs8' }) as string;

  const broken: Array<[string, (dir: string) => Promise<void> | void, RegExp]> = [
    ['holds no key at all', () => undefined, /no key signs/],
    ['names no signing key', async () => void (await directory.add()), /no key signs/],
    [
      'names two signing keys',
      async (dir) => {
        const [a, b] = [await directory.add(), await directory.add()];
        writeFileSync(path.join(dir, 'keys.conf'), `signing ${a}\nsigning ${b}\n`);
      },
      /two signing keys/,
    ],
    [
      'names a signing key that has no file',
      (dir) => writeFileSync(path.join(dir, 'keys.conf'), 'signing es256-20260101-missing0000\n'),
      /has no file/,
    ],
    [
      'signs with an RS256 key while JWT_ALGORITHM is ES256',
      async () => {
        const kid = await directory.add('RS256');
        await directory.promote(kid);
      },
      /RS256 key but JWT_ALGORITHM is ES256/,
    ],
    [
      'holds a P-384 key',
      (dir) =>
        writeFileSync(path.join(dir, 'p384.pem'), pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)),
      /p384\.pem is an EC secp384r1 key/,
    ],
    [
      'holds an Ed25519 key',
      (dir) => writeFileSync(path.join(dir, 'ed.pem'), pem(generateKeyPairSync('ed25519').privateKey)),
      /ed\.pem is an ed25519 key/,
    ],
    [
      'holds a 1024-bit RSA key',
      (dir) =>
        writeFileSync(path.join(dir, 'weak.pem'), pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)),
      /weak\.pem is an RSA key of 1024 bits/,
    ],
    [
      'holds a public key where a private one belongs',
      (dir) =>
        writeFileSync(
          path.join(dir, 'public.pem'),
          generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }),
        ),
      /public\.pem is not an unencrypted PEM private key/,
    ],
    [
      'holds a key file whose name is not a kid',
      (dir) =>
        writeFileSync(path.join(dir, 'my key.pem'), pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)),
      /my key\.pem: a key file is named <kid>\.pem/,
    ],
    [
      'has a retirement time without a zone',
      async (dir) => {
        const kid = await directory.add();
        writeFileSync(path.join(dir, 'keys.conf'), `signing ${kid}\nretired other 2026-01-15T12:00:00\n`);
      },
      /keys\.conf line 2: "2026-01-15T12:00:00" is not a time/,
    ],
    [
      'has a line it does not understand',
      (dir) => writeFileSync(path.join(dir, 'keys.conf'), 'active es256-x\n'),
      /keys\.conf line 1: expected "signing <kid>"/,
    ],
  ];

  it.each(broken)('refuses to start when it %s, naming JWT_KEYS_DIR', async (_name, arrange, message) => {
    await arrange(directory.dir);
    const error = await load().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('JWT_KEYS_DIR');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/BEGIN|PRIVATE KEY/);
  });

  it('refuses a directory that does not exist', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'tollgate-nokeys-'));
    try {
      await expect(load('ES256', path.join(parent, 'keys'))).rejects.toMatchObject({ variable: 'JWT_KEYS_DIR' });
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('ignores what is not a key: dot-files (half-written keys, mounted-secret links) and other names', async () => {
    const kid = await directory.add();
    await directory.promote(kid);
    writeFileSync(path.join(directory.dir, '.incoming.pem.tmp'), '-----BEGIN PRIVATE');
    writeFileSync(path.join(directory.dir, 'README'), 'rotation notes');
    expect((await load()).signingKey().kid).toBe(kid);
  });
});

describe('the generated development refresh-token secret', () => {
  it('is 256 random bits in DATA_DIR (0600), kept across restarts, and not the JWT secret', () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'tollgate-refresh-'));
    const dir = path.join(parent, 'data');
    const logger = pino({ level: 'silent' });
    try {
      const secret = loadOrCreateRefreshSecret(dir, logger);
      expect(secret).toHaveLength(32);
      expect(statSync(path.join(dir, REFRESH_SECRET_FILE_NAME)).mode & 0o777).toBe(0o600);
      expect(loadOrCreateRefreshSecret(dir, logger).equals(secret)).toBe(true);
      expect(loadOrCreateSigningSecret(dir, logger).equals(secret)).toBe(false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
