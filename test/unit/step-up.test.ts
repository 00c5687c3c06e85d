import {
  factorCount,
  normalizeMethods,
  parseAuthMethods,
  type AuthMethod,
} from '../../src/auth/authentication-methods';
import { Role } from '../../src/auth/roles';
import { describeRecentAuth, meetsRecentAuth, recentAuthRequirement } from '../../src/auth/step-up';
import { createAccessTokens } from '../../src/auth/tokens';
import { InvalidTokenError } from '../../src/errors/domain-errors';
import { TestClock } from '../helpers/clock';
import { baseClaims, forgeHmac } from '../helpers/forge';
import { TEST_JWT_SECRET } from '../helpers/test-server';
import { testViewer } from '../helpers/viewers';

const TEN_MINUTES = recentAuthRequirement('10m', 2);
const AUTH_TIME = 1_800_000_000;

function viewerWith(amr: readonly AuthMethod[] | undefined, authTime: number | null | undefined) {
  return testViewer('u', [Role.USER], { amr, authTime });
}

describe('authentication methods (amr, RFC 8176)', () => {
  it('counts factors, not methods: a password and a code are two, a passkey alone is two', () => {
    expect(factorCount(['pwd'])).toBe(1);
    expect(factorCount(['otp'])).toBe(1);
    expect(factorCount(['pwd', 'otp'])).toBe(2);
    expect(factorCount(['hwk'])).toBe(2);
    expect(factorCount(['swk'])).toBe(2);
  });

  it('accepts only non-empty lists of distinct known methods', () => {
    expect(parseAuthMethods(['pwd', 'otp'])).toEqual(['pwd', 'otp']);
    for (const bad of [[], ['pwd', 'pwd'], ['mfa'], ['PWD'], 'pwd', null, [1], ['pwd', 'otp', 'hwk', 'swk', 'pwd']]) {
      expect(parseAuthMethods(bad)).toBeNull();
    }
  });

  it('normalises to one order, so equal sets are equal lists', () => {
    expect(normalizeMethods(['otp', 'pwd', 'otp'])).toEqual(['pwd', 'otp']);
  });
});

describe('recentAuthRequirement', () => {
  it('reads durations in seconds, minutes and hours', () => {
    expect(recentAuthRequirement('30s', 1).maxAgeSeconds).toBe(30);
    expect(recentAuthRequirement('10m', 2).maxAgeSeconds).toBe(600);
    expect(recentAuthRequirement('2h', 2).maxAgeSeconds).toBe(7200);
  });

  it('refuses a requirement that cannot be meant, when the schema is built', () => {
    for (const [maxAge, factors] of [
      ['10 minutes', 2],
      ['0s', 1],
      ['25h', 1],
      ['-1m', 1],
      [Number.NaN, 1],
      ['10m', 3],
      ['10m', 0],
    ] as const) {
      expect(() => recentAuthRequirement(maxAge, factors)).toThrow(TypeError);
    }
  });

  it('describes itself for the field description', () => {
    expect(describeRecentAuth(TEN_MINUTES)).toMatch(/within 10 minutes, with 2 factors/);
    expect(describeRecentAuth(recentAuthRequirement('30s', 1))).toBe(
      'an authentication within 30 seconds, with any one factor',
    );
  });
});

describe('meetsRecentAuth (the pure step-up decision)', () => {
  const at = (msAfterAuth: number) => AUTH_TIME * 1000 + msAfterAuth;

  it('allows an authentication exactly maxAge old and refuses it one millisecond later', () => {
    const viewer = viewerWith(['pwd', 'otp'], AUTH_TIME);
    expect(meetsRecentAuth(viewer, TEN_MINUTES, at(600_000))).toBe(true);
    expect(meetsRecentAuth(viewer, TEN_MINUTES, at(600_001))).toBe(false);
  });

  it('allows an auth_time slightly ahead of this clock (another instance signed it)', () => {
    expect(meetsRecentAuth(viewerWith(['pwd', 'otp'], AUTH_TIME), TEN_MINUTES, at(-2_000))).toBe(true);
  });

  it('asks a second factor of a token that shows one was used, and none of a password-only one', () => {
    // A token proving the password alone is only ever issued to an account without a second factor.
    expect(meetsRecentAuth(viewerWith(['pwd'], AUTH_TIME), TEN_MINUTES, at(0))).toBe(true);
    expect(meetsRecentAuth(viewerWith(['otp'], AUTH_TIME), TEN_MINUTES, at(0))).toBe(false);
    expect(meetsRecentAuth(viewerWith(['pwd', 'otp'], AUTH_TIME), TEN_MINUTES, at(0))).toBe(true);
    expect(meetsRecentAuth(viewerWith(['hwk'], AUTH_TIME), TEN_MINUTES, at(0))).toBe(true);
    expect(meetsRecentAuth(viewerWith(['otp'], AUTH_TIME), recentAuthRequirement('10m', 1), at(0))).toBe(true);
  });

  it('refuses a token from before tokens carried auth_time, however recent', () => {
    expect(meetsRecentAuth(viewerWith(undefined, undefined), recentAuthRequirement('1h', 1), at(0))).toBe(false);
    expect(meetsRecentAuth(viewerWith(['pwd'], null), recentAuthRequirement('1h', 1), at(0))).toBe(false);
  });
});

describe('amr and auth_time in access tokens', () => {
  const clock = new TestClock(AUTH_TIME * 1000 + 5_000);
  const tokens = createAccessTokens({
    secret: Buffer.from(TEST_JWT_SECRET),
    issuer: 'tollgate',
    audience: 'tollgate-api',
    ttlSeconds: 900,
    now: clock.now,
  });
  const subject = { id: 'user-1', roles: [Role.USER], sessionId: 'session-1', rolesVersion: 1 };
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  const reasonOf = (claims: Record<string, unknown>) => {
    try {
      tokens.verify(forgeHmac({ claims: baseClaims(nowSeconds(), claims) }));
      return 'accepted';
    } catch (error) {
      if (error instanceof InvalidTokenError) return error.reason;
      throw error;
    }
  };

  it('carries them through issue and verify', () => {
    const { token } = tokens.issue({
      ...subject,
      authentication: { methods: ['pwd', 'otp'], at: AUTH_TIME * 1000 + 700 },
    });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ amr: ['pwd', 'otp'], auth_time: AUTH_TIME });
    expect(tokens.verify(token)).toMatchObject({ amr: ['pwd', 'otp'], authTime: AUTH_TIME });
  });

  it('reads a token without them (issued before they existed) as a password login of unknown age', () => {
    expect(tokens.verify(forgeHmac({ claims: baseClaims(nowSeconds()) }))).toMatchObject({
      amr: ['pwd'],
      authTime: null,
    });
  });

  it('refuses unknown methods, malformed lists and impossible times as invalid', () => {
    const cases: Array<Record<string, unknown>> = [
      { amr: ['pwd', 'face'], auth_time: AUTH_TIME },
      { amr: [], auth_time: AUTH_TIME },
      { amr: 'pwd', auth_time: AUTH_TIME },
      { amr: ['pwd', 'pwd'], auth_time: AUTH_TIME },
      { amr: ['pwd'] },
      { auth_time: AUTH_TIME },
      { amr: ['pwd'], auth_time: String(AUTH_TIME) },
      { amr: ['pwd'], auth_time: 0 },
      { amr: ['pwd'], auth_time: AUTH_TIME + 0.5 },
      // Authenticated after the token was issued: no honest issuer signs that.
      { amr: ['pwd'], auth_time: nowSeconds() + 1 },
    ];
    for (const claims of cases) expect([claims, reasonOf(claims)]).toEqual([claims, 'TOKEN_INVALID']);
    expect(reasonOf({ amr: ['pwd', 'otp'], auth_time: AUTH_TIME })).toBe('accepted');
  });
});
