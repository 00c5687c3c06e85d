import { LoginDocument, LogoutDocument, RefreshDocument } from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

describeEachDatabase('cookie mode for browsers', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    await server.createUser('browser@example.com');
  });
  afterAll(() => server.close());

  const cookieOf = (headers: Headers) => headers.getSetCookie().find((c) => c.startsWith('__Host-tollgate-refresh='));
  const valueOf = (setCookie: string) => setCookie.split(';')[0]!.split('=')[1]!;
  const loginWithCookie = () =>
    server.execute(LoginDocument, { email: 'browser@example.com', password: TEST_PASSWORD, useCookie: true });

  it('sets the refresh token as a __Host- HttpOnly, Secure, SameSite=Strict cookie instead of the body', async () => {
    const res = await loginWithCookie();
    expect(res.data!.login.refreshToken).toBeNull();
    expect(res.data!.login.refreshExpiresIn).toBe(7 * 86400);
    const cookie = cookieOf(res.headers)!;
    expect(cookie).toMatch(
      /^__Host-tollgate-refresh=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('refresh without an argument reads the cookie and rotates it', async () => {
    const login = await loginWithCookie();
    const first = valueOf(cookieOf(login.headers)!);
    const res = await server.execute(
      RefreshDocument,
      {},
      { headers: { cookie: `other=1; __Host-tollgate-refresh=${first}` } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.refresh.refreshToken).toBeNull();
    const second = valueOf(cookieOf(res.headers)!);
    expect(second).not.toBe(first);
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('clears a cookie that no longer refreshes anything', async () => {
    const res = await server.execute(
      RefreshDocument,
      {},
      { headers: { cookie: `__Host-tollgate-refresh=${'a'.repeat(43)}` } },
    );
    expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'REFRESH_TOKEN_INVALID' });
    expect(cookieOf(res.headers)).toMatch(/^__Host-tollgate-refresh=; Max-Age=0;/);
  });

  it('logout clears the cookie and the session behind it', async () => {
    const login = await loginWithCookie();
    const refreshCookie = valueOf(cookieOf(login.headers)!);
    const res = await server.execute(LogoutDocument, {}, { token: login.data!.login.accessToken });
    expect(cookieOf(res.headers)).toMatch(/^__Host-tollgate-refresh=; Max-Age=0;/);
    const after = await server.execute(
      RefreshDocument,
      {},
      { headers: { cookie: `__Host-tollgate-refresh=${refreshCookie}` } },
    );
    expect(after.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'REFRESH_TOKEN_INVALID' });
  });

  it('without the cookie and without an argument, refresh is refused', async () => {
    const res = await server.execute(RefreshDocument, {});
    expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'REFRESH_TOKEN_INVALID' });
  });
});
