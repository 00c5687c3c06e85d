import { createAccessTokens, MAX_TOKEN_LENGTH } from '../../src/auth/tokens';
import { Role } from '../../src/auth/roles';
import { InvalidTokenError } from '../../src/errors/domain-errors';
import { TestClock } from '../helpers/clock';
import { baseClaims, flipSignatureBit, forgeHmac, forgeRs256, forgeUnsigned } from '../helpers/forge';
import { TEST_JWT_SECRET } from '../helpers/test-server';

describe('access tokens', () => {
  const clock = new TestClock();
  const tokens = createAccessTokens({
    secret: Buffer.from(TEST_JWT_SECRET),
    issuer: 'tollgate',
    audience: 'tollgate-api',
    ttlSeconds: 900,
    now: clock.now,
  });
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  const reasonOf = (token: string) => {
    try {
      tokens.verify(token);
      return 'accepted';
    } catch (error) {
      if (error instanceof InvalidTokenError) return error.reason;
      throw error;
    }
  };

  it('issues an HS256 at+jwt, with a kid derived from the secret, that verifies into the same identity', () => {
    const { token, expiresIn } = tokens.issue({
      id: 'user-1',
      roles: [Role.EDITOR],
      sessionId: 'session-1',
      rolesVersion: 1,
    });
    expect(expiresIn).toBe(900);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: expect.stringMatching(/^hs256-[A-Za-z0-9_-]{12}$/) });
    const viewer = tokens.verify(token);
    expect(viewer).toMatchObject({
      id: 'user-1',
      roles: ['EDITOR'],
      issuedAt: nowSeconds(),
      expiresAt: nowSeconds() + 900,
    });
    expect(viewer.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carries exactly the claims sub, sid, rv, roles, jti, iat, exp, iss, aud', () => {
    const { token } = tokens.issue({ id: 'user-1', roles: [Role.USER], sessionId: 'session-1', rolesVersion: 1 });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'roles', 'rv', 'sid', 'sub']);
  });

  it('accepts a token less than 30 s past exp and refuses it from then on', () => {
    const { token } = tokens.issue({ id: 'user-1', roles: [Role.USER], sessionId: 'session-1', rolesVersion: 1 });
    clock.advance(900 + 29);
    expect(reasonOf(token)).toBe('accepted');
    clock.advance(1);
    expect(reasonOf(token)).toBe('TOKEN_EXPIRED');
  });

  it('caps exp at notAfter, so no token outlives its session', () => {
    const notAfter = nowSeconds() + 60;
    const { token, expiresIn } = tokens.issue(
      { id: 'u', roles: [Role.USER], sessionId: 's', rolesVersion: 1 },
      { notAfter },
    );
    expect(expiresIn).toBe(60);
    expect(tokens.verify(token).expiresAt).toBe(notAfter);
  });

  it('signs the identical token when issue time and jti are pinned', () => {
    const subject = { id: 'u', roles: [Role.USER], sessionId: 's', rolesVersion: 3 };
    const pinned = { issuedAt: clock.now() - 5000, tokenId: 'abc' };
    expect(tokens.issue(subject, { pinned }).token).toBe(tokens.issue(subject, { pinned }).token);
  });

  it('gives each token its own jti', () => {
    const a = tokens.verify(
      tokens.issue({ id: 'u', roles: [Role.USER], sessionId: 'session-1', rolesVersion: 1 }).token,
    );
    const b = tokens.verify(
      tokens.issue({ id: 'u', roles: [Role.USER], sessionId: 'session-1', rolesVersion: 1 }).token,
    );
    expect(a.tokenId).not.toBe(b.tokenId);
  });

  const claims = (overrides: Record<string, unknown> = {}) => baseClaims(nowSeconds(), overrides);

  it.each<[string, () => string, string]>([
    ['alg none', () => forgeUnsigned(claims(), 'none'), 'TOKEN_INVALID'],
    ['alg NoNe', () => forgeUnsigned(claims(), 'NoNe'), 'TOKEN_INVALID'],
    ['HS384', () => forgeHmac({ alg: 'HS384', claims: claims() }), 'TOKEN_INVALID'],
    ['HS512', () => forgeHmac({ alg: 'HS512', claims: claims() }), 'TOKEN_INVALID'],
    ['RS256', () => forgeRs256(claims()), 'TOKEN_INVALID'],
    ['a flipped signature bit', () => flipSignatureBit(forgeHmac({ claims: claims() })), 'TOKEN_INVALID'],
    ['nbf 31 s ahead', () => forgeHmac({ claims: claims({ nbf: nowSeconds() + 31 }) }), 'TOKEN_INVALID'],
    [
      'iat in the far future and nbf ahead',
      () => forgeHmac({ claims: claims({ iat: nowSeconds() + 3600, nbf: nowSeconds() + 3600 }) }),
      'TOKEN_INVALID',
    ],
    ['exp 31 s ago', () => forgeHmac({ claims: claims({ exp: nowSeconds() - 31 }) }), 'TOKEN_EXPIRED'],
    ['no exp', () => forgeHmac({ claims: claims({ exp: undefined }) }), 'TOKEN_INVALID'],
    ['exp as a string', () => forgeHmac({ claims: claims({ exp: String(nowSeconds() + 60) }) }), 'TOKEN_INVALID'],
    ['no iat', () => forgeHmac({ claims: claims({ iat: undefined }) }), 'TOKEN_INVALID'],
    ['a wrong issuer', () => forgeHmac({ claims: claims({ iss: 'someone-else' }) }), 'TOKEN_INVALID'],
    ['no issuer', () => forgeHmac({ claims: claims({ iss: undefined }) }), 'TOKEN_INVALID'],
    ['a wrong audience', () => forgeHmac({ claims: claims({ aud: 'another-api' }) }), 'TOKEN_INVALID'],
    ['no subject', () => forgeHmac({ claims: claims({ sub: undefined }) }), 'TOKEN_INVALID'],
    ['a numeric subject', () => forgeHmac({ claims: claims({ sub: 42 }) }), 'TOKEN_INVALID'],
    ['a 65-character subject', () => forgeHmac({ claims: claims({ sub: 's'.repeat(65) }) }), 'TOKEN_INVALID'],
    ['no jti', () => forgeHmac({ claims: claims({ jti: undefined }) }), 'TOKEN_INVALID'],
    ['no sid', () => forgeHmac({ claims: claims({ sid: undefined }) }), 'TOKEN_INVALID'],
    ['a numeric sid', () => forgeHmac({ claims: claims({ sid: 7 }) }), 'TOKEN_INVALID'],
    ['no rv', () => forgeHmac({ claims: claims({ rv: undefined }) }), 'TOKEN_INVALID'],
    ['rv as a string', () => forgeHmac({ claims: claims({ rv: '1' }) }), 'TOKEN_INVALID'],
    ['roles as a string', () => forgeHmac({ claims: claims({ roles: 'ADMIN' }) }), 'TOKEN_INVALID'],
    ['an unknown role', () => forgeHmac({ claims: claims({ roles: ['USER', 'SUPERUSER'] }) }), 'TOKEN_INVALID'],
    ['empty roles', () => forgeHmac({ claims: claims({ roles: [] }) }), 'TOKEN_INVALID'],
    ['a lower-case role', () => forgeHmac({ claims: claims({ roles: ['admin'] }) }), 'TOKEN_INVALID'],
    [
      'a payload that is an array',
      () => forgeHmac({ claims: [] as unknown as Record<string, unknown> }),
      'TOKEN_INVALID',
    ],
    ['typ JWT', () => forgeHmac({ header: { typ: 'JWT' }, claims: claims() }), 'TOKEN_INVALID'],
    ['no typ', () => forgeHmac({ header: { typ: undefined }, claims: claims() }), 'TOKEN_INVALID'],
    ...(['crit', 'jku', 'jwk', 'x5u', 'x5c'] as const).map((name): [string, () => string, string] => [
      `a ${name} header`,
      () => forgeHmac({ header: { [name]: name === 'crit' ? ['exp'] : 'https://evil.example' }, claims: claims() }),
      'TOKEN_INVALID',
    ]),
    [
      'a token longer than the limit',
      () => forgeHmac({ claims: claims({ pad: 'p'.repeat(MAX_TOKEN_LENGTH) }) }),
      'TOKEN_INVALID',
    ],
    ['an empty string', () => '', 'TOKEN_INVALID'],
    ['two segments', () => 'abc.def', 'TOKEN_INVALID'],
    ['four segments', () => 'a.b.c.d', 'TOKEN_INVALID'],
    ['garbage base64', () => '!!!.@@@.###', 'TOKEN_INVALID'],
    ['a header that is not JSON', () => `${Buffer.from('nope').toString('base64url')}.e30.sig`, 'TOKEN_INVALID'],
  ])('refuses %s', (_name, make, reason) => {
    expect(reasonOf(make())).toBe(reason);
  });

  it('accepts "at+jwt" in any case, as media types are case-insensitive', () => {
    expect(reasonOf(forgeHmac({ header: { typ: 'AT+JWT' }, claims: claims({ roles: ['USER'] }) }))).toBe('accepted');
  });

  it('refuses a token signed by another secret with the same claims', () => {
    const other = createAccessTokens({
      secret: Buffer.from('another-secret-that-is-long-enough-0123456789'),
      issuer: 'tollgate',
      audience: 'tollgate-api',
      ttlSeconds: 900,
      now: clock.now,
    });
    expect(reasonOf(other.issue({ id: 'u', roles: [Role.ADMIN], sessionId: 'session-1', rolesVersion: 1 }).token)).toBe(
      'TOKEN_INVALID',
    );
  });
});
