import { LoginDocument } from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

describeEachDatabase('login throttling', (dialect) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(dialect, {
      env: { LOGIN_MAX_FAILURES_PER_EMAIL_IP: '3', LOGIN_MAX_FAILURES_PER_IP: '6', LOGIN_FAILURE_WINDOW: '15m' },
    });
    await server.createUser('alice@example.com');
    await server.createUser('bob@example.com');
  });
  afterEach(() => server.close());

  const login = (email: string, password = TEST_PASSWORD) => server.execute(LoginDocument, { email, password });
  const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
  const THROTTLED = { code: 'TOO_MANY_REQUESTS', retryAfter: 900 };

  it('makes an email and IP pair wait after repeated failures, even with the right password, opening nothing', async () => {
    for (let i = 0; i < 3; i++)
      expect(extensionsOf(await login('alice@example.com', 'wrong password!'))).toMatchObject({
        reason: 'INVALID_CREDENTIALS',
      });
    const sessions = await server.countRows('sessions');
    const events = await server.countRows('audit_events');
    const res = await login('ALICE@example.com');
    expect(res.data).toBeNull();
    expect(extensionsOf(res)).toEqual(THROTTLED);
    expect(await server.countRows('sessions')).toBe(sessions);
    expect(await server.countRows('audit_events')).toBe(events);
    // Another account from the same address is not affected by alice's failures.
    expect((await login('bob@example.com')).errors).toBeUndefined();
  });

  it('answers an unknown email exactly like a known one', async () => {
    for (let i = 0; i < 3; i++) await login('nobody@example.com', 'wrong password!');
    expect(extensionsOf(await login('nobody@example.com', 'wrong password!'))).toEqual(THROTTLED);
  });

  it('makes an IP wait after failures spread over many emails', async () => {
    for (let i = 0; i < 6; i++) await login(`guess${i}@example.com`, 'wrong password!');
    expect(extensionsOf(await login('bob@example.com'))).toEqual(THROTTLED);
  });

  it('lets the pair try again once the window has passed', async () => {
    for (let i = 0; i < 3; i++) await login('alice@example.com', 'wrong password!');
    expect(extensionsOf(await login('alice@example.com'))).toEqual(THROTTLED);
    server.clock.advance(15 * 60 + 1);
    expect((await login('alice@example.com')).errors).toBeUndefined();
  });
});
