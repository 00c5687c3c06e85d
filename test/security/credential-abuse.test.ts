import { AuditEventsDocument, ChangePasswordDocument, LoginDocument, SignUpDocument } from '../generated/graphql';
import { Role } from '../../src/auth/roles';
import { describeEachDatabase } from '../helpers/databases';
import { createHeldHasher, type HeldHasher } from '../helpers/held-hasher';
import {
  TEST_PASSWORD,
  startTestServer,
  type GraphQLResponse,
  type SignedIn,
  type TestServer,
} from '../helpers/test-server';

const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
const NEW_PASSWORD = 'a completely new passphrase';

describeEachDatabase('changePassword is no password oracle', (dialect) => {
  let server: TestServer;
  let held: HeldHasher;
  let user: SignedIn;
  beforeEach(async () => {
    held = await createHeldHasher();
    server = await startTestServer(dialect, {
      env: { PASSWORD_CHANGE_MAX_FAILURES: '3' },
      passwordHasher: held.hasher,
    });
    user = await server.signIn('owner@example.com');
  });
  afterEach(() => server.close());

  const change = (currentPassword: string, token = user.accessToken) =>
    server.execute(ChangePasswordDocument, { currentPassword, newPassword: NEW_PASSWORD }, { token });
  const failuresRecorded = async () =>
    (
      await server.app.services.database.db
        .selectFrom('audit_events')
        .select(['user_id', 'session_id', 'ip'])
        .where('type', '=', 'PASSWORD_CHANGE_FAILED')
        .execute()
    ).length;

  it('answers a wrong and an over-long current password the same way, and records each failure', async () => {
    const wrong = await change('not the password');
    const long = await change('x'.repeat(500));
    expect(wrong.errors).toEqual(long.errors);
    expect(extensionsOf(wrong)).toEqual({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    expect(await failuresRecorded()).toBe(2);
  });

  it('makes the user wait after repeated wrong guesses, even with the right password, changing nothing', async () => {
    for (let i = 0; i < 3; i++) await change(`guess ${i}`);
    const verifies = held.verifies;
    const res = await change(TEST_PASSWORD);
    expect(extensionsOf(res)).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 900 });
    expect(held.verifies).toBe(verifies);
    expect((await server.execute(LoginDocument, { email: 'owner@example.com', password: TEST_PASSWORD })).errors).toBe(
      undefined,
    );
    // The window's end lets the owner try again (after a fresh sign-in: changePassword asks for
    // an authentication in the last 10 minutes).
    server.clock.advance(15 * 60);
    const again = await server.execute(LoginDocument, { email: 'owner@example.com', password: TEST_PASSWORD });
    expect((await change(TEST_PASSWORD, again.data!.login.accessToken)).data).toEqual({ changePassword: true });
  });

  it('counts parallel guesses before hashing: 10 at once reach argon2 3 times', async () => {
    const verifies = held.verifies;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => change(`parallel guess ${i}`)));
    expect(answers.filter((res) => extensionsOf(res)?.code === 'TOO_MANY_REQUESTS')).toHaveLength(7);
    expect(held.verifies - verifies).toBe(3);
  });

  it('does not count a new password that breaks the rules', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await server.execute(
        ChangePasswordDocument,
        { currentPassword: TEST_PASSWORD, newPassword: 'short' },
        { token: user.accessToken },
      );
      expect(extensionsOf(res)).toEqual({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    }
    expect((await change(TEST_PASSWORD)).data).toEqual({ changePassword: true });
  });
});

describeEachDatabase('signUp abuse', (dialect) => {
  let server: TestServer;
  let held: HeldHasher;
  beforeEach(async () => {
    held = await createHeldHasher();
    server = await startTestServer(dialect, { env: { SIGNUP_MAX_PER_IP: '3' }, passwordHasher: held.hasher });
  });
  afterEach(() => server.close());

  const signUp = (email: string, password = TEST_PASSWORD) =>
    server.execute(SignUpDocument, { input: { email, password, displayName: 'New' } });

  it('throttles sign-ups per IP, taken emails included, creating nothing once refused', async () => {
    await server.createUser('taken@example.com');
    expect((await signUp('one@example.com')).errors).toBeUndefined();
    expect(extensionsOf(await signUp(' TAKEN@example.com'))).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
    expect((await signUp('two@example.com')).errors).toBeUndefined();
    const users = await server.countUsers();
    expect(extensionsOf(await signUp('three@example.com'))).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 3600 });
    expect(extensionsOf(await signUp('taken@example.com'))).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(await server.countUsers()).toBe(users);
    server.clock.advance(3600);
    expect((await signUp('three@example.com')).errors).toBeUndefined();
  });

  it('does not count sign-ups that break the account rules', async () => {
    for (let i = 0; i < 5; i++) {
      expect(extensionsOf(await signUp(`bad${i}@example.com`, 'short'))).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    expect((await signUp('fine@example.com')).errors).toBeUndefined();
  });

  it('refuses an operation with several credential-checking fields before any of them runs', async () => {
    const aliases = Array.from(
      { length: 8 },
      (_, i) =>
        `s${i}: signUp(input: { email: "alias${i}@example.com", password: "${TEST_PASSWORD}", displayName: "A" }) { accessToken }`,
    ).join('\n');
    const verifies = held.verifies;
    const cases = [
      `mutation { ${aliases} }`,
      `mutation { login(email: "a@example.com", password: "x") { accessToken } refresh(refreshToken: "y") { accessToken } }`,
      `mutation { ...A ...B } fragment A on Mutation { login(email: "a@example.com", password: "x") { accessToken } }
       fragment B on Mutation { changePassword(currentPassword: "x", newPassword: "yyyyyyyy") }`,
      `mutation { ... on Mutation { signUp(input: { email: "x@example.com", password: "${TEST_PASSWORD}", displayName: "X" }) { accessToken } }
       other: login(email: "a@example.com", password: "x") { accessToken } }`,
    ];
    for (const query of cases) {
      const res = await server.post({ query });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(body.errors[0]!.message).toMatch(/at most one of login, signUp, refresh, changePassword/);
    }
    expect(await server.countUsers()).toBe(0);
    expect(held.verifies).toBe(verifies);
  });

  it('still runs one credential-checking field next to other fields', async () => {
    const res = await server.post({
      query: `mutation { signUp(input: { email: "solo@example.com", password: "${TEST_PASSWORD}", displayName: "S" }) { accessToken } }`,
    });
    expect(res.status).toBe(200);
  });
});

describeEachDatabase('failed logins in the audit log', (dialect) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(dialect);
  });
  afterEach(() => server.close());

  it('never keeps an attempted email that is no account (it may be a mistyped password)', async () => {
    const admin = await server.signIn('admin@example.com', [Role.ADMIN]);
    const typedPassword = 'my-secret-passphrase-typed-in-the-wrong-field';
    await server.execute(LoginDocument, { email: typedPassword, password: 'whatever123' });
    await server.execute(LoginDocument, { email: 'ADMIN@example.com', password: 'wrong password' });

    const events = await server.execute(AuditEventsDocument, { first: 50 }, { token: admin.accessToken });
    const failed = events.data!.auditEvents.edges.map((edge) => edge.node).filter((e) => e.type === 'LOGIN_FAILED');
    expect(failed).toHaveLength(2);
    const [known, unknown] = [failed.find((e) => e.userId)!, failed.find((e) => !e.userId)!];
    expect(JSON.parse(known.details!)).toEqual({ email: 'admin@example.com' });
    expect(Object.keys(JSON.parse(unknown.details!))).toEqual(['emailHash']);
    const rows = await server.app.services.database.db.selectFrom('audit_events').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(typedPassword);
    const counters = await server.app.services.database.db.selectFrom('attempt_counters').selectAll().execute();
    expect(JSON.stringify(counters)).not.toMatch(/example\.com|127\.0\.0\.1|passphrase/);
  });
});
