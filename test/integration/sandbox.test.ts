import { SANDBOX_DOCUMENT, SANDBOX_VARIABLES } from '../../src/http/sandbox-landing-page';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

/*
 * The Apollo Sandbox landing page: served outside production with cookies included and a first
 * document that walks through login → me → refresh, and absent in production. The README's
 * Sandbox steps are run here against that document, as the Sandbox would send them.
 */

const SANDBOX_SCRIPT = 'embeddable-sandbox.cdn.apollographql.com';
const browserNavigation = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('the Sandbox landing page in development', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { NODE_ENV: 'development' } });
    await server.createUser('ann@example.com');
  });
  afterAll(() => server.close());

  it('is served to a browser opening /graphql, with the first document and cookies included', async () => {
    const res = await fetch(server.url, { headers: browserNavigation });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain(SANDBOX_SCRIPT);
    expect(html).toContain(JSON.stringify(SANDBOX_DOCUMENT));
    expect(html).toContain(`"variables":${JSON.stringify(SANDBOX_VARIABLES)}`);
    expect(html).toContain('"includeCookies":true');
  });

  it('is not served to a client asking for JSON', async () => {
    const res = await fetch(server.url, { headers: { accept: 'application/json' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).not.toContain(SANDBOX_SCRIPT);
  });

  it('holds no character Apollo would leave unescaped in the page’s script', () => {
    // Apollo escapes only the first <, >, & and ' of the configuration it writes into a <script>.
    expect(SANDBOX_DOCUMENT).not.toMatch(/[<>&']/);
  });

  describe('the README’s steps, run with the Sandbox’s document', () => {
    // What the Sandbox sends: a POST of the whole document, the operation to run and the variables.
    const run = (operationName: string, variables: object, headers: Record<string, string> = {}) =>
      server.post({ query: SANDBOX_DOCUMENT, operationName, variables }, headers);
    const refreshCookieOf = (res: Response) =>
      res.headers
        .getSetCookie()
        .find((cookie) => cookie.startsWith('__Host-tollgate-refresh='))
        ?.split(';')[0];

    it('Login sets the refresh cookie, Me answers with the bearer header, Refresh renews from the cookie alone', async () => {
      const login = await run('Login', { ...SANDBOX_VARIABLES, password: TEST_PASSWORD });
      const loginBody = (await login.json()) as { data: { login: { accessToken: string; user: { email: string } } } };
      expect(loginBody.data.login.user.email).toBe(SANDBOX_VARIABLES.email);
      const cookie = refreshCookieOf(login);
      expect(cookie).toMatch(/^__Host-tollgate-refresh=[A-Za-z0-9_-]{43}$/);

      const me = await run('Me', {}, { authorization: `Bearer ${loginBody.data.login.accessToken}` });
      expect(await me.json()).toEqual({
        data: { me: expect.objectContaining({ email: SANDBOX_VARIABLES.email, roles: ['USER'] }) },
      });

      // The steps say to remove the Authorization header first: an expired token there would be refused (401).
      const refresh = await run('Refresh', {}, { cookie: cookie! });
      const refreshBody = (await refresh.json()) as { data: { refresh: { accessToken: string } } };
      expect(refreshBody.data.refresh.accessToken).toEqual(expect.any(String));
      expect(refreshCookieOf(refresh)).not.toBe(cookie);

      const meAgain = await run('Me', {}, { authorization: `Bearer ${refreshBody.data.refresh.accessToken}` });
      expect(((await meAgain.json()) as { data: { me: { email: string } } }).data.me.email).toBe(
        SANDBOX_VARIABLES.email,
      );
    });
  });
});

describe('the Sandbox landing page in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    // No mail server here: production needs SMTP_URL unless the flows that send mail are off.
    server = await startTestServer('sqlite', {
      env: { NODE_ENV: 'production', EMAIL_VERIFICATION: 'false', PASSWORD_RESET: 'false' },
    });
  });
  afterAll(() => server.close());

  it('is absent: a browser opening /graphql gets no page, only a GraphQL error', async () => {
    const res = await fetch(server.url, { headers: browserNavigation });
    expect(res.headers.get('content-type')).not.toMatch(/text\/html/);
    const body = await res.text();
    expect(body).not.toContain(SANDBOX_SCRIPT);
    expect(body).not.toContain('Login');
    // A browser navigation carries no preflight-forcing header: Apollo's CSRF refusal.
    expect(res.status).toBe(400);
  });

  it('answers introspection (what the Sandbox would need) with a validation error', async () => {
    const res = await server.post({ query: '{ __schema { queryType { name } } }' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
