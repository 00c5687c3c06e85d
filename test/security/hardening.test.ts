import { sql } from 'kysely';
import { LoginDocument, MeDocument, SignUpDocument, UserProfileDocument } from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

describeEachDatabase('bad input gets a typed error and changes nothing', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  const signUp = (email: string, password: string, displayName = 'Someone') =>
    server.execute(SignUpDocument, { input: { email, password, displayName } });

  it.each([
    ['7 characters', 'a'.repeat(7)],
    ['129 characters', 'a'.repeat(129)],
    ['129 code points of emoji', '🔑'.repeat(129)],
  ])('refuses a password of %s at sign-up and login, before any hashing', async (_name, password) => {
    const before = await server.countUsers();
    const res = await signUp(`pw-${password.length}@example.com`, password);
    expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(await server.countUsers()).toBe(before);

    const login = await server.execute(LoginDocument, { email: 'x@example.com', password });
    expect(login.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
  });

  it('accepts 8 and 128 characters, and does not truncate the long one', async () => {
    const long = 'b'.repeat(128);
    expect((await signUp('pw-8@example.com', 'a'.repeat(8))).errors).toBeUndefined();
    expect((await signUp('pw-128@example.com', long)).errors).toBeUndefined();
    const almost = await server.execute(LoginDocument, {
      email: 'pw-128@example.com',
      password: 'b'.repeat(127) + 'c',
    });
    expect(almost.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
  });

  it.each([
    ['an email without a domain', 'nobody', 'email'],
    ['an email with spaces inside', 'a b@example.com', 'email'],
    ['a 255-character email', `${'a'.repeat(243)}@example.com`, 'email'],
  ])('refuses %s', async (_name, email, field) => {
    const before = await server.countUsers();
    const res = await signUp(email, TEST_PASSWORD);
    expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(await server.countUsers()).toBe(before);
  });

  it.each([
    ['an empty display name', '   '],
    ['a 65-character display name', 'n'.repeat(65)],
    ['a display name with a zero-width joiner', 'An\u200dn'],
  ])('refuses %s', async (_name, displayName) => {
    const res = await signUp(`dn-${Math.random()}@example.com`, TEST_PASSWORD, displayName);
    expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'displayName' });
  });

  it('stores SQL-looking input as plain text and leaves the table intact', async () => {
    const email = "o'brien+1@example.com";
    const displayName = "Robert'); DROP TABLE users;--";
    const res = await signUp(email, TEST_PASSWORD, displayName);
    expect(res.errors).toBeUndefined();
    const profile = await server.execute(
      UserProfileDocument,
      { id: res.data!.signUp.user.id },
      { token: res.data!.signUp.accessToken },
    );
    expect(profile.data!.user).toMatchObject({ email, displayName });

    const injection = await server.execute(LoginDocument, { email: "' OR '1'='1' --", password: "' OR '1'='1' --" });
    expect(injection.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    expect(await server.countUsers()).toBeGreaterThan(0);
  });

  it('refuses a 1 MB body with 413 before GraphQL sees it', async () => {
    const before = await server.countUsers();
    const huge = 'x'.repeat(1024 * 1024);
    const res = await server.post({
      query: 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      variables: { i: { email: 'big@example.com', password: TEST_PASSWORD, displayName: huge } },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    expect(await server.countUsers()).toBe(before);
  });

  it('refuses batched requests', async () => {
    const res = await server.post([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]);
    expect(res.status).toBe(400);
  });

  it('refuses a GET query without a CSRF preflight header', async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent('{ me { id } }')}`);
    expect(res.status).toBe(400);
  });

  it('knows the directives every GraphQL client may send (@include, @skip)', async () => {
    const res = await server.post({
      query: 'query ($full: Boolean!) { __typename @skip(if: true) me @include(if: $full) { id } }',
      variables: { full: false },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: {} });
  });

  it('masks unexpected errors as "Internal server error" with the request id', async () => {
    const signed = await signUp('masked@example.com', TEST_PASSWORD);
    const token = signed.data!.signUp.accessToken;
    // Breaks the database under the server; this is the last test of the suite for that reason.
    await sql`alter table users rename to users_gone`.execute(server.app.services.database.db);
    const res = await server.execute(MeDocument, {}, { token });
    expect(res.status).toBe(200);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.message).toBe('Internal server error');
    expect(res.errors![0]!.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: res.headers.get('x-request-id'),
    });
    expect(JSON.stringify(res.errors)).not.toMatch(/users|table|sql/i);
  });
});

describe('production mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      // No mail server here: production needs SMTP_URL unless the flows that send mail are off.
      env: {
        NODE_ENV: 'production',
        CORS_ORIGINS: 'https://app.example.com',
        EMAIL_VERIFICATION: 'false',
        PASSWORD_RESET: 'false',
      },
    });
  });
  afterAll(() => server.close());

  it('answers a field that does not exist without suggesting one', async () => {
    const res = await server.post({ query: '{ mee { id } }' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors[0]!.message).not.toMatch(/did you mean/i);
    expect(JSON.stringify(body)).not.toContain('"me"');
  });

  it('turns introspection off', async () => {
    const res = await server.post({ query: '{ __schema { types { name } } }' });
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('serves no landing page', async () => {
    const res = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/sandbox|<html/i);
  });

  it('puts no stack trace in errors', async () => {
    const res = await server.post({ query: '{ user(id: "x") { id } }' });
    const body = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).not.toHaveProperty('stacktrace');
  });

  it('allows only the configured CORS origin, never *', async () => {
    const preflight = (origin: string) =>
      fetch(server.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const denied = await preflight('https://evil.example.com');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('development mode', () => {
  it('suggests field names, as a developer expects, and keeps stack traces off expected errors', async () => {
    const server = await startTestServer('sqlite', { env: { NODE_ENV: 'development' } });
    try {
      const res = await server.post({ query: '{ mee { id } }' });
      const body = (await res.json()) as { errors: Array<{ message: string }> };
      expect(body.errors[0]!.message).toMatch(/did you mean "me"/i);

      // Errors we raise on purpose carry no stack trace, even in development.
      const denied = (await (await server.post({ query: '{ users { pageInfo { hasNextPage } } }' })).json()) as {
        errors: Array<{ extensions: Record<string, unknown> }>;
      };
      expect(denied.errors[0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', requires: ['ADMIN'] });
    } finally {
      await server.close();
    }
  });
});
