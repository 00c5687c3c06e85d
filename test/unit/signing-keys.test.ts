import { createPublicKey, generateKeyPairSync, verify as verifySignature } from 'node:crypto';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { matchesIfNoneMatch } from '../../src/auth/keys/jwks';
import type { KeyRing } from '../../src/auth/keys/key-ring';
import { Role } from '../../src/auth/roles';
import { createAccessTokens, refusedFromMs, INSTANCE_CLOCK_ALLOWANCE_SECONDS } from '../../src/auth/tokens';
import { InvalidTokenError } from '../../src/errors/domain-errors';
import { TestClock } from '../helpers/clock';
import { baseClaims, forgeHmac } from '../helpers/forge';
import {
  TEST_RELOAD_INTERVAL_MS,
  TEST_RETIRED_KEY_LIFETIME_MS,
  TEST_TTL_SECONDS,
  TestKeyDirectory,
  headerOf,
  loadTestKeyRing,
  signWithKey,
} from '../helpers/signing-keys';
import { TEST_JWT_SECRET } from '../helpers/test-server';

const SUBJECT = { id: 'user-1', roles: [Role.USER], sessionId: 'session-1', rolesVersion: 1 };
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

function tokensOver(ring: KeyRing, clock: TestClock) {
  return createAccessTokens({
    keys: ring,
    issuer: 'tollgate',
    audience: 'tollgate-api',
    ttlSeconds: TEST_TTL_SECONDS,
    now: clock.now,
  });
}

function verdictOf(tokens: { verify(token: string): unknown }, token: string): string {
  try {
    tokens.verify(token);
    return 'accepted';
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
}

const moveTo = (clock: TestClock, ms: number) => clock.advance((ms - clock.now()) / 1000);
const nowSeconds = (clock: TestClock) => Math.floor(clock.now() / 1000);
const userClaims = (clock: TestClock, overrides: Record<string, unknown> = {}) =>
  baseClaims(nowSeconds(clock), { roles: ['USER'], ...overrides });

describe('access tokens signed with asymmetric keys', () => {
  const directory = new TestKeyDirectory();
  afterAll(() => directory.dispose());

  it.each(['ES256', 'RS256'] as const)(
    '%s: carries the signing key’s kid, verifies here and with the bare public key',
    async (alg) => {
      const kid = await directory.add(alg);
      await directory.promote(kid);
      const clock = new TestClock(T0);
      const ring = await loadTestKeyRing(clock, { algorithm: alg, keysDir: directory.dir });
      const tokens = tokensOver(ring, clock);
      const { token } = tokens.issue(SUBJECT);

      expect(headerOf(token)).toEqual({ alg, typ: 'at+jwt', kid });
      expect(tokens.verify(token)).toMatchObject({ id: 'user-1', sessionId: 'session-1' });
      // What any verifier does with the JWKS entry, without Tollgate's code.
      const jwk = ring.jwks().keys.find((candidate) => candidate.kid === kid)!;
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const ok = verifySignature(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        { key: createPublicKey({ key: { ...jwk }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
      expect(ok).toBe(true);
    },
  );
});

describe('HS256, as before', () => {
  const clock = new TestClock(T0);
  const tokens = createAccessTokens({
    secret: Buffer.from(TEST_JWT_SECRET),
    issuer: 'tollgate',
    audience: 'tollgate-api',
    ttlSeconds: TEST_TTL_SECONDS,
    now: clock.now,
  });

  it('derives a kid from the secret that reveals none of it, the same on every instance', async () => {
    const { kid } = headerOf(tokens.issue(SUBJECT).token);
    const ring = await loadTestKeyRing(clock, { algorithm: 'HS256', secret: Buffer.from(TEST_JWT_SECRET) });
    expect(ring.signingKey().kid).toBe(kid);
    expect(kid).toMatch(/^hs256-[A-Za-z0-9_-]{12}$/);
    expect(String(kid)).not.toContain(Buffer.from(TEST_JWT_SECRET).toString('base64url').slice(0, 8));
  });

  it('still accepts a token without a kid (issued before tokens carried one), so an upgrade refuses nobody', () => {
    expect(verdictOf(tokens, forgeHmac({ claims: userClaims(clock) }))).toBe('accepted');
  });

  it('refuses an HS256 token naming a kid other than the secret’s', () => {
    expect(verdictOf(tokens, forgeHmac({ header: { kid: 'hs256-AAAAAAAAAAAA' }, claims: userClaims(clock) }))).toBe(
      'TOKEN_INVALID',
    );
  });
});

describe('choosing the key: by kid, with the key’s own algorithm', () => {
  const directory = new TestKeyDirectory();
  const clock = new TestClock(T0);
  let ring: KeyRing;
  let tokens: ReturnType<typeof tokensOver>;
  let es: string;
  let rs: string;

  beforeAll(async () => {
    es = await directory.add('ES256');
    rs = await directory.add('RS256');
    await directory.promote(es);
    // The HS256 secret too, verify-only: as during a switch from HS256.
    ring = await loadTestKeyRing(clock, {
      algorithm: 'ES256',
      keysDir: directory.dir,
      secret: Buffer.from(TEST_JWT_SECRET),
    });
    tokens = tokensOver(ring, clock);
  });
  afterAll(() => directory.dispose());

  const hostileKids: Array<[string, unknown]> = [
    ['a path', '../../../etc/passwd'],
    ['a path to a key file', `../${path.basename(directory.dir)}/x`],
    ['an absolute path', '/etc/shadow'],
    ['SQL', "x' OR '1'='1"],
    ['a comment', 'x;--'],
    ['a NUL', 'es256\u0000'],
    ['a space', 'es 256'],
    ['a non-ASCII letter', 'clé'],
    ['the state file', 'keys.conf'],
    ['65 characters', 'k'.repeat(65)],
    ['10 KB', 'k'.repeat(10_000)],
    ['an empty string', ''],
    ['null', null],
    ['a number', 42],
    ['an array', ['a']],
    ['an object', { kid: 'a' }],
  ];

  it.each(hostileKids)('refuses a kid that is %s as TOKEN_INVALID', async (_name, kid) => {
    const token = signWithKey(await directory.privateKey(es), { alg: 'ES256', typ: 'at+jwt', kid }, userClaims(clock));
    expect(verdictOf(tokens, token)).toBe('TOKEN_INVALID');
  });

  it('refuses a well-formed kid it does not know', async () => {
    const token = signWithKey(
      await directory.privateKey(es),
      { alg: 'ES256', typ: 'at+jwt', kid: 'es256-20990101-unknownkid00' },
      userClaims(clock),
    );
    expect(verdictOf(tokens, token)).toBe('TOKEN_INVALID');
  });

  it('refuses a token without a kid when no HS256 secret is configured', async () => {
    const noSecret = tokensOver(await loadTestKeyRing(clock, { algorithm: 'ES256', keysDir: directory.dir }), clock);
    const token = signWithKey(await directory.privateKey(es), { alg: 'ES256', typ: 'at+jwt' }, userClaims(clock));
    expect(verdictOf(noSecret, token)).toBe('TOKEN_INVALID');
  });

  it('takes the algorithm from the key: a header alg that differs from it is refused', async () => {
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const esPublicPem = createPublicKey(await directory.privateKey(es)).export({ format: 'pem', type: 'spki' });
    const cases: Array<[string, string]> = [
      // The classic confusion: the public key (which anyone has) used as an HMAC secret.
      [
        'HS256 over the ES256 key’s public PEM',
        forgeHmac({ header: { kid: es }, claims: userClaims(clock), secret: esPublicPem as string }),
      ],
      [
        'RS256 under the ES256 key’s kid',
        signWithKey(attacker, { alg: 'RS256', typ: 'at+jwt', kid: es }, userClaims(clock)),
      ],
      [
        'ES256 under the RS256 key’s kid',
        signWithKey(await directory.privateKey(es), { alg: 'ES256', typ: 'at+jwt', kid: rs }, userClaims(clock)),
      ],
      [
        'ES256 under the HS256 secret’s kid',
        signWithKey(
          await directory.privateKey(es),
          { alg: 'ES256', typ: 'at+jwt', kid: ring.find(undefined)!.kid },
          userClaims(clock),
        ),
      ],
      [
        'HS512 under the HS256 secret’s kid',
        forgeHmac({ alg: 'HS512', header: { kid: ring.find(undefined)!.kid }, claims: userClaims(clock) }),
      ],
      [
        '"none" under the ES256 key’s kid',
        `${Buffer.from(JSON.stringify({ alg: 'none', kid: es })).toString('base64url')}.${Buffer.from(JSON.stringify(userClaims(clock))).toString('base64url')}.`,
      ],
      [
        'ES256 with the signature of another payload',
        (() => {
          const [header, , signature] = tokens.issue(SUBJECT).token.split('.');
          const other = tokens.issue({ ...SUBJECT, roles: [Role.ADMIN] }).token.split('.')[1];
          return `${header}.${other}.${signature}`;
        })(),
      ],
    ];
    for (const [name, token] of cases) expect([name, verdictOf(tokens, token)]).toEqual([name, 'TOKEN_INVALID']);
  });

  it('accepts the right tokens from every key it holds: the signing key, a published one, the HS256 secret', async () => {
    expect(verdictOf(tokens, tokens.issue(SUBJECT).token)).toBe('accepted');
    const byRs = signWithKey(
      await directory.privateKey(rs),
      { alg: 'RS256', typ: 'at+jwt', kid: rs },
      userClaims(clock),
    );
    expect(verdictOf(tokens, byRs)).toBe('accepted');
    expect(verdictOf(tokens, forgeHmac({ claims: userClaims(clock) }))).toBe('accepted');
  });

  it('reads no file to verify: with the directory gone, known kids verify and every other is refused', async () => {
    const gone = new TestKeyDirectory();
    const kid = await gone.add('ES256');
    await gone.promote(kid);
    const goneRing = await loadTestKeyRing(clock, { algorithm: 'ES256', keysDir: gone.dir });
    const goneTokens = tokensOver(goneRing, clock);
    const privateKey = await gone.privateKey(kid);
    gone.dispose();

    expect(verdictOf(goneTokens, goneTokens.issue(SUBJECT).token)).toBe('accepted');
    for (const [, hostile] of hostileKids) {
      const token = signWithKey(privateKey, { alg: 'ES256', typ: 'at+jwt', kid: hostile }, userClaims(clock));
      expect(verdictOf(goneTokens, token)).toBe('TOKEN_INVALID');
    }
  });
});

describe('a retired key', () => {
  let directory: TestKeyDirectory;
  let clock: TestClock;
  let ring: KeyRing;
  let tokens: ReturnType<typeof tokensOver>;
  let oldKid: string;
  let newKid: string;
  const RETIRED_AT = T0 + 60_000;
  const DROPS_AT = RETIRED_AT + TEST_RETIRED_KEY_LIFETIME_MS;

  beforeEach(async () => {
    directory = new TestKeyDirectory();
    clock = new TestClock(T0);
    oldKid = await directory.add();
    await directory.promote(oldKid);
    ring = await loadTestKeyRing(clock, { algorithm: 'ES256', keysDir: directory.dir });
    tokens = tokensOver(ring, clock);
    newKid = await directory.add();
    await directory.promote(newKid);
    await directory.retire(oldKid, RETIRED_AT);
    expect(await ring.reload()).toBe(true);
  });
  afterEach(() => directory.dispose());

  /** A token the old key signs at this moment, as an instance that has not reloaded yet would. */
  const signedByOldKey = async (claims: Record<string, unknown> = userClaims(clock)) =>
    signWithKey(await directory.privateKey(oldKid), { alg: 'ES256', typ: 'at+jwt', kid: oldKid }, claims);

  it('lasts as long as the longest a token it signed can be accepted, plus one reload interval', () => {
    expect(TEST_RETIRED_KEY_LIFETIME_MS).toBe(tokens.maxAcceptanceMs + TEST_RELOAD_INTERVAL_MS);
  });

  it('verifies through DROPS_AT − 1 and is refused from DROPS_AT, even for a token that has not expired', async () => {
    moveTo(clock, DROPS_AT - 1);
    expect(verdictOf(tokens, await signedByOldKey())).toBe('accepted');
    moveTo(clock, DROPS_AT);
    expect(verdictOf(tokens, await signedByOldKey())).toBe('TOKEN_INVALID');
  });

  it('is refused at DROPS_AT for a token verified (and cached) just before', async () => {
    moveTo(clock, DROPS_AT - 1);
    const token = await signedByOldKey();
    expect(verdictOf(tokens, token)).toBe('accepted');
    moveTo(clock, DROPS_AT);
    expect(verdictOf(tokens, token)).toBe('TOKEN_INVALID');
  });

  it('outlives the last token a lagging instance can sign with it (one reload late, its clock 5 s ahead)', async () => {
    const lateIat = Math.floor((RETIRED_AT + TEST_RELOAD_INTERVAL_MS) / 1000) + INSTANCE_CLOCK_ALLOWANCE_SECONDS;
    moveTo(clock, RETIRED_AT + TEST_RELOAD_INTERVAL_MS);
    const token = await signedByOldKey(userClaims(clock, { iat: lateIat, exp: lateIat + TEST_TTL_SECONDS }));
    expect(refusedFromMs(lateIat + TEST_TTL_SECONDS)).toBe(DROPS_AT);
    moveTo(clock, DROPS_AT - 1);
    expect(verdictOf(tokens, token)).toBe('accepted');
  });

  it('is in the JWKS through DROPS_AT − 1 and not from DROPS_AT; the new key is listed first', () => {
    moveTo(clock, DROPS_AT - 1);
    expect(ring.jwks().keys.map((jwk) => jwk.kid)).toEqual([newKid, oldKid]);
    moveTo(clock, DROPS_AT);
    expect(ring.jwks().keys.map((jwk) => jwk.kid)).toEqual([newKid]);
  });

  it('counts from a retirement time in the future too (stamped when the change reaches every instance)', async () => {
    const later = new TestKeyDirectory();
    try {
      const a = await later.add();
      await later.promote(a);
      const b = await later.add();
      await later.promote(b);
      await later.retire(a, T0 + 3_600_000);
      const laterRing = await loadTestKeyRing(clock, { algorithm: 'ES256', keysDir: later.dir });
      moveTo(clock, T0 + 3_600_000 + TEST_RETIRED_KEY_LIFETIME_MS - 1);
      expect(laterRing.find(a)).not.toBeNull();
      moveTo(clock, T0 + 3_600_000 + TEST_RETIRED_KEY_LIFETIME_MS);
      expect(laterRing.find(a)).toBeNull();
    } finally {
      later.dispose();
    }
  });
});

describe('reloading the directory', () => {
  let directory: TestKeyDirectory;
  let clock: TestClock;
  let ring: KeyRing;
  let tokens: ReturnType<typeof tokensOver>;
  let first: string;

  beforeEach(async () => {
    directory = new TestKeyDirectory();
    clock = new TestClock(T0);
    first = await directory.add();
    await directory.promote(first);
    ring = await loadTestKeyRing(clock, { algorithm: 'ES256', keysDir: directory.dir });
    tokens = tokensOver(ring, clock);
  });
  afterEach(() => directory.dispose());

  it('learns a published key without a restart, and signs with it only once it is promoted', async () => {
    const next = await directory.add();
    const byNext = signWithKey(
      await directory.privateKey(next),
      { alg: 'ES256', typ: 'at+jwt', kid: next },
      userClaims(clock),
    );
    expect(verdictOf(tokens, byNext)).toBe('TOKEN_INVALID');
    expect(await ring.reload()).toBe(true);
    expect(verdictOf(tokens, byNext)).toBe('accepted');
    expect(headerOf(tokens.issue(SUBJECT).token).kid).toBe(first);
    await directory.promote(next);
    await ring.reload();
    expect(headerOf(tokens.issue(SUBJECT).token).kid).toBe(next);
  });

  const halfDone: Array<[string, (dir: string, next: string) => void]> = [
    [
      'two signing lines (a promotion written half-way)',
      (dir, next) => writeFileSync(path.join(dir, 'keys.conf'), `signing ${first}\nsigning ${next}\n`),
    ],
    ['a state file cut short', (dir) => writeFileSync(path.join(dir, 'keys.conf'), `signing ${first.slice(0, 10)}`)],
    [
      'a key file half copied',
      (dir) => writeFileSync(path.join(dir, 'copying.pem'), '-----BEGIN PRIVATE KEY-----\nMIGH'),
    ],
    ['no signing key', (dir) => writeFileSync(path.join(dir, 'keys.conf'), '')],
  ];

  it.each(halfDone)(
    'changes nothing when the directory holds %s, and recovers once it is whole',
    async (_name, damage) => {
      const next = await directory.add();
      damage(directory.dir, next);
      expect(await ring.reload()).toBe(false);
      expect(headerOf(tokens.issue(SUBJECT).token).kid).toBe(first);
      expect(ring.find(next)).toBeNull();

      rmSync(path.join(directory.dir, 'copying.pem'), { force: true });
      await directory.writeStates(next);
      expect(await ring.reload()).toBe(true);
      expect(headerOf(tokens.issue(SUBJECT).token).kid).toBe(next);
    },
  );

  it('refuses at once, cached or not, the tokens of a key whose file was deleted (a compromised key)', async () => {
    const next = await directory.add();
    await directory.promote(next);
    await ring.reload();
    const byFirst = signWithKey(
      await directory.privateKey(first),
      { alg: 'ES256', typ: 'at+jwt', kid: first },
      userClaims(clock),
    );
    expect(verdictOf(tokens, byFirst)).toBe('accepted');
    unlinkSync(path.join(directory.dir, `${first}.pem`));
    await ring.reload();
    expect(verdictOf(tokens, byFirst)).toBe('TOKEN_INVALID');
  });
});

describe('the JWKS', () => {
  const clock = new TestClock(T0);
  const directory = new TestKeyDirectory();
  afterAll(() => directory.dispose());

  it('is empty under HS256: a symmetric key is never published', async () => {
    const ring = await loadTestKeyRing(clock, { algorithm: 'HS256', secret: Buffer.from(TEST_JWT_SECRET) });
    expect(JSON.parse(ring.jwks().body)).toEqual({ keys: [] });
  });

  it('holds public members only, with kid, alg and use, and never the HS256 secret', async () => {
    const es = await directory.add('ES256');
    const rs = await directory.add('RS256');
    await directory.promote(es);
    const ring = await loadTestKeyRing(clock, {
      algorithm: 'ES256',
      keysDir: directory.dir,
      secret: Buffer.from(TEST_JWT_SECRET),
    });
    const { keys } = JSON.parse(ring.jwks().body) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((jwk) => Object.keys(jwk).sort())).toEqual([
      ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
      ['alg', 'e', 'kid', 'kty', 'n', 'use'],
    ]);
    expect(keys).toEqual([
      expect.objectContaining({ kid: es, alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' }),
      expect.objectContaining({ kid: rs, alg: 'RS256', use: 'sig', kty: 'RSA' }),
    ]);
  });

  it('has an ETag that changes with the set and only with it', async () => {
    const ring = await loadTestKeyRing(clock, { algorithm: 'ES256', keysDir: directory.dir });
    const before = ring.jwks();
    expect(ring.jwks().etag).toBe(before.etag);
    await directory.add('ES256');
    await ring.reload();
    expect(ring.jwks().etag).not.toBe(before.etag);
    expect(before.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abd"', false],
    ['abc', false],
  ])('If-None-Match %s matches "abc": %s', (header, expected) => {
    expect(matchesIfNoneMatch(header, '"abc"')).toBe(expected);
  });
});

describe('switching from HS256: the directory’s keys verify before they sign', () => {
  const directory = new TestKeyDirectory();
  afterAll(() => directory.dispose());

  it('under HS256 the secret signs, and the directory’s keys verify and are published', async () => {
    const clock = new TestClock(T0);
    const kid = await directory.add('ES256');
    await directory.promote(kid);
    const ring = await loadTestKeyRing(clock, {
      algorithm: 'HS256',
      keysDir: directory.dir,
      secret: Buffer.from(TEST_JWT_SECRET),
    });
    const tokens = tokensOver(ring, clock);
    expect(headerOf(tokens.issue(SUBJECT).token).alg).toBe('HS256');
    expect(ring.jwks().keys.map((jwk) => jwk.kid)).toEqual([kid]);
    const byDirectoryKey = signWithKey(
      await directory.privateKey(kid),
      { alg: 'ES256', typ: 'at+jwt', kid },
      userClaims(clock),
    );
    expect(verdictOf(tokens, byDirectoryKey)).toBe('accepted');
  });
});
