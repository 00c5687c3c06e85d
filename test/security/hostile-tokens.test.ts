import { connect } from 'node:net';
import { MeDocument, SignUpDocument } from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { baseClaims, flipSignatureBit, forgeHmac, forgeRs256, forgeUnsigned } from '../helpers/forge';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

describeEachDatabase('the context refuses every token that does not prove an identity', (dialect) => {
  let server: TestServer;
  let validToken: string;
  let userId: string;
  const now = () => Math.floor(server.clock.now() / 1000);

  beforeAll(async () => {
    server = await startTestServer(dialect);
    const res = await server.execute(SignUpDocument, {
      input: { email: 'victim@example.com', password: TEST_PASSWORD, displayName: 'Victim' },
    });
    validToken = res.data!.signUp.accessToken;
    userId = res.data!.signUp.user.id;
  });
  afterAll(() => server.close());

  const hostile: Array<[string, () => string, 'TOKEN_INVALID' | 'TOKEN_EXPIRED']> = [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, () => string, 'TOKEN_INVALID'] => [
      `alg "${alg}"`,
      () => forgeUnsigned(baseClaims(now(), { sub: userId }), alg),
      'TOKEN_INVALID',
    ]),
    ['a flipped signature bit', () => flipSignatureBit(validToken), 'TOKEN_INVALID'],
    [
      'HS512 with the right secret',
      () => forgeHmac({ alg: 'HS512', claims: baseClaims(now(), { sub: userId }) }),
      'TOKEN_INVALID',
    ],
    ['RS256 with an attacker key', () => forgeRs256(baseClaims(now(), { sub: userId })), 'TOKEN_INVALID'],
    [
      'a wrong secret',
      () => forgeHmac({ secret: 'x'.repeat(64), claims: baseClaims(now(), { sub: userId }) }),
      'TOKEN_INVALID',
    ],
    [
      'an expired token (beyond the 30 s skew)',
      () => forgeHmac({ claims: baseClaims(now(), { sub: userId, exp: now() - 31 }) }),
      'TOKEN_EXPIRED',
    ],
    [
      'nbf in the future (beyond the skew)',
      () => forgeHmac({ claims: baseClaims(now(), { sub: userId, nbf: now() + 120 }) }),
      'TOKEN_INVALID',
    ],
    ['a wrong issuer', () => forgeHmac({ claims: baseClaims(now(), { sub: userId, iss: 'evil' }) }), 'TOKEN_INVALID'],
    [
      'a wrong audience',
      () => forgeHmac({ claims: baseClaims(now(), { sub: userId, aud: 'other-api' }) }),
      'TOKEN_INVALID',
    ],
    ['no exp', () => forgeHmac({ claims: baseClaims(now(), { sub: userId, exp: undefined }) }), 'TOKEN_INVALID'],
    [
      'an unknown role',
      () => forgeHmac({ claims: baseClaims(now(), { sub: userId, roles: ['ROOT'] }) }),
      'TOKEN_INVALID',
    ],
    [
      'no typ header',
      () => forgeHmac({ header: { typ: undefined }, claims: baseClaims(now(), { sub: userId }) }),
      'TOKEN_INVALID',
    ],
    [
      'typ "JWT" (an ID token, not an access token)',
      () => forgeHmac({ header: { typ: 'JWT' }, claims: baseClaims(now(), { sub: userId }) }),
      'TOKEN_INVALID',
    ],
    [
      'a jku header',
      () => forgeHmac({ header: { jku: 'https://evil.example/jwks' }, claims: baseClaims(now(), { sub: userId }) }),
      'TOKEN_INVALID',
    ],
    [
      'a 10 KB token',
      () => forgeHmac({ claims: baseClaims(now(), { sub: userId, pad: 'a'.repeat(10 * 1024) }) }),
      'TOKEN_INVALID',
    ],
  ];

  it.each(hostile)('refuses %s with 401, UNAUTHENTICATED, and runs no resolver', async (_name, makeToken, reason) => {
    const before = await server.countUsers();
    const res = await server.execute(
      SignUpDocument,
      { input: { email: `mallory-${reason}-${Math.random()}@example.com`, password: TEST_PASSWORD, displayName: 'M' } },
      { token: makeToken() },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason });
    expect(await server.countUsers()).toBe(before);
  });

  const malformedHeaders: Array<[string, string]> = [
    ['"Bearer" with no token', 'Bearer'],
    ['"Bearer " with only a space', 'Bearer '],
    ['two tokens in one header', `Bearer ${'a.b.c'} ${'d.e.f'}`],
    ['a Basic credential', 'Basic dXNlcjpwYXNz'],
    ['a bare token without a scheme', 'a.b.c'],
  ];

  it.each(malformedHeaders)('refuses %s with 401 TOKEN_INVALID', async (_name, authorization) => {
    const res = await server.execute(MeDocument, {}, { authorization });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('refuses two Authorization headers even when the first is valid', async () => {
    // fetch and http.request merge repeated headers; a raw socket sends them apart, as an attacker would.
    const url = new URL(server.url);
    const body = JSON.stringify({ query: '{ me { id } }' });
    const raw = [
      `POST ${url.pathname} HTTP/1.1`,
      `host: ${url.host}`,
      'content-type: application/json',
      `content-length: ${Buffer.byteLength(body)}`,
      `authorization: Bearer ${validToken}`,
      'authorization: Bearer a.b.c',
      'connection: close',
      '',
      body,
    ].join('\r\n');
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.end(raw));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toMatch(/\r\nwww-authenticate: Bearer error="invalid_token"\r\n/i);
    expect(response).toContain('"reason":"TOKEN_INVALID"');
  });

  it('accepts a token within the 30 s skew and the scheme in any case', async () => {
    const slightlyExpired = forgeHmac({ claims: baseClaims(now(), { sub: userId, roles: ['USER'], exp: now() - 20 }) });
    const res = await server.execute(MeDocument, {}, { authorization: `bEaReR ${slightlyExpired}` });
    expect(res.status).toBe(200);
    expect(res.data!.me!.id).toBe(userId);
  });

  it('expires a real token once its lifetime and the skew have passed', async () => {
    const res = await server.execute(MeDocument, {}, { token: validToken });
    expect(res.data!.me!.id).toBe(userId);
    server.clock.advance(15 * 60 + 31);
    const later = await server.execute(MeDocument, {}, { token: validToken });
    expect(later.status).toBe(401);
    expect(later.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it('never reads a token from the URL', async () => {
    const url = `${server.url}?query=${encodeURIComponent('{ me { id } }')}&access_token=${validToken}`;
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { me: null } });
  });
});
