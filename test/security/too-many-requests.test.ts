import { ChangePasswordDocument, LoginDocument, RefreshDocument, SignUpDocument } from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
const WRONG = 'wrong password!';

describe('a request refused as a whole answers HTTP 429 with Retry-After', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      env: { LOGIN_MAX_FAILURES_PER_EMAIL_IP: '2', SIGNUP_MAX_PER_IP: '1', PASSWORD_CHANGE_MAX_FAILURES: '1' },
    });
    await server.createUser('alice@example.com');
    for (let i = 0; i < 2; i++) {
      const failed = await server.execute(LoginDocument, { email: 'alice@example.com', password: WRONG });
      expect(failed.status).toBe(200);
    }
  });
  afterAll(() => server.close());

  const loginAlice = `login(email: "alice@example.com", password: "${TEST_PASSWORD}") { accessToken }`;
  const post = async (query: string, headers: Record<string, string> = {}) => {
    const res = await server.post({ query }, headers);
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> },
    };
  };

  it('when its only root field was throttled; the body is the usual GraphQL answer', async () => {
    const res = await server.execute(LoginDocument, { email: 'alice@example.com', password: TEST_PASSWORD });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('900');
    expect(res.data).toBeNull();
    expect(extensionsOf(res)).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 900 });
  });

  it('when the throttled root field came through an alias or a fragment', async () => {
    for (const query of [
      `mutation { again: ${loginAlice} }`,
      `mutation { ...Attempt } fragment Attempt on Mutation { ${loginAlice} }`,
      `mutation { ... on Mutation { ${loginAlice} } }`,
    ]) {
      const res = await post(query);
      expect({ query, status: res.status, retryAfter: res.retryAfter }).toEqual({
        query,
        status: 429,
        retryAfter: '900',
      });
    }
  });

  it('for sign-ups and password changes too', async () => {
    const signUp = (email: string) =>
      server.execute(SignUpDocument, { input: { email, password: TEST_PASSWORD, displayName: 'New' } });
    expect((await signUp('first@example.com')).status).toBe(200);
    const refused = await signUp('second@example.com');
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '3600']);

    const token = (await server.signIn('owner@example.com')).accessToken;
    const change = (currentPassword: string) =>
      server.execute(ChangePasswordDocument, { currentPassword, newPassword: 'another passphrase' }, { token });
    expect((await change('not it at all')).status).toBe(200);
    const throttled = await change(TEST_PASSWORD);
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '900']);
  });

  it('but not when another root field answered: a partial result stays 200, without Retry-After', async () => {
    const token = (await server.signIn('bystander@example.com')).accessToken;
    const res = await post(`mutation { logoutAll(keepCurrent: true) ${loginAlice} }`, {
      authorization: `Bearer ${token}`,
    });
    expect(res.status).toBe(200);
    expect(res.retryAfter).toBeNull();
    expect(res.body.errors?.map((error) => error.extensions?.code)).toEqual(['TOO_MANY_REQUESTS']);
  });

  it('nor for a failure that is no refusal to serve: a wrong password stays 200', async () => {
    await server.createUser('carol@example.com');
    const res = await server.execute(LoginDocument, { email: 'carol@example.com', password: WRONG });
    expect(res.status).toBe(200);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(extensionsOf(res)).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
  });
});

describeEachDatabase('refresh throttling per client address', (dialect) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(dialect, {
      env: { REFRESH_MAX_PER_IP: '3', REFRESH_WINDOW: '1m', TRUST_PROXY_HOPS: '1' },
    });
  });
  afterEach(() => server.close());

  const refresh = (refreshToken: string, ip = '192.0.2.1') =>
    server.execute(RefreshDocument, { refreshToken }, { headers: { 'x-forwarded-for': ip } });

  it('counts every refresh, good or bad; past the limit even a good token waits, and is not used up', async () => {
    const { refreshToken } = await server.signIn('tabs@example.com');
    for (let i = 0; i < 2; i++)
      expect(extensionsOf(await refresh('bogus'))).toMatchObject({ reason: 'REFRESH_TOKEN_INVALID' });
    const renewed = await refresh(refreshToken);
    const next = renewed.data!.refresh.refreshToken!;

    const refused = await refresh(next);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '60']);
    expect(extensionsOf(refused)).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 60 });
    // Another address has its own budget.
    expect(extensionsOf(await refresh('bogus', '192.0.2.2'))).toMatchObject({ reason: 'REFRESH_TOKEN_INVALID' });

    server.clock.advance(60);
    // The refused attempt did not rotate (or burn) the token.
    expect((await refresh(next)).data?.refresh.refreshToken).toEqual(expect.any(String));
  });
});
