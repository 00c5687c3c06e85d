import { LoginDocument } from '../generated/graphql';
import { BusyError } from '../../src/errors/domain-errors';
import { describeEachDatabase } from '../helpers/databases';
import { createHeldHasher, type HeldHasher } from '../helpers/held-hasher';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;

describeEachDatabase('login throttling', (dialect) => {
  let server: TestServer;
  let held: HeldHasher;
  beforeEach(async () => {
    held = await createHeldHasher();
    server = await startTestServer(dialect, {
      env: { LOGIN_MAX_FAILURES_PER_EMAIL_IP: '3', LOGIN_MAX_FAILURES_PER_IP: '6', LOGIN_FAILURE_WINDOW: '15m' },
      passwordHasher: held.hasher,
    });
    await server.createUser('alice@example.com');
    await server.createUser('bob@example.com');
  });
  afterEach(() => server.close());

  const login = (email: string, password = TEST_PASSWORD) => server.execute(LoginDocument, { email, password });
  const THROTTLED = { code: 'TOO_MANY_REQUESTS', retryAfter: 900 };

  it('makes an email and IP pair wait after repeated failures, even with the right password, opening nothing', async () => {
    for (let i = 0; i < 3; i++)
      expect(extensionsOf(await login('alice@example.com', 'wrong password!'))).toMatchObject({
        reason: 'INVALID_CREDENTIALS',
      });
    const sessions = await server.countRows('sessions');
    const events = await server.countRows('audit_events');
    const verifies = held.verifies;
    const res = await login('ALICE@example.com');
    expect(res.data).toBeNull();
    expect(extensionsOf(res)).toEqual(THROTTLED);
    expect(held.verifies).toBe(verifies);
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

  it('counts failures only: a success gives its attempt back', async () => {
    await login('alice@example.com', 'wrong password!');
    await login('alice@example.com', 'wrong password!');
    expect((await login('alice@example.com')).errors).toBeUndefined();
    expect(extensionsOf(await login('alice@example.com', 'wrong password!'))).toMatchObject({
      reason: 'INVALID_CREDENTIALS',
    });
    expect(extensionsOf(await login('alice@example.com'))).toEqual(THROTTLED);
  });

  it('does not count input that breaks the password rules: no guess was made', async () => {
    for (let i = 0; i < 5; i++) {
      expect(extensionsOf(await login('alice@example.com', 'short'))).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    expect((await login('alice@example.com')).errors).toBeUndefined();
  });

  it('the window: refused until its last millisecond, counting from zero from its end, with retryAfter to match', async () => {
    for (let i = 0; i < 3; i++) await login('alice@example.com', 'wrong password!');
    server.clock.advance(15 * 60 - 1);
    expect(extensionsOf(await login('alice@example.com'))).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 1 });
    server.clock.advance(0.999);
    expect(extensionsOf(await login('alice@example.com'))).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 1 });
    server.clock.advance(0.001);
    // A new window: three more failures are allowed before the next wait.
    for (let i = 0; i < 3; i++) {
      expect(extensionsOf(await login('alice@example.com', 'wrong password!'))).toMatchObject({
        reason: 'INVALID_CREDENTIALS',
      });
    }
    expect(extensionsOf(await login('alice@example.com'))).toEqual(THROTTLED);
  });

  it('refused attempts do not push the window back', async () => {
    for (let i = 0; i < 3; i++) await login('alice@example.com', 'wrong password!');
    server.clock.advance(10 * 60);
    for (let i = 0; i < 5; i++) await login('alice@example.com', 'wrong password!');
    server.clock.advance(5 * 60);
    expect((await login('alice@example.com')).errors).toBeUndefined();
  });

  it('once an IP is over its limit, its attempts with new emails leave no counters behind', async () => {
    for (let i = 0; i < 6; i++) await login(`guess${i}@example.com`, 'wrong password!');
    const counters = await server.countRows('attempt_counters');
    for (let i = 0; i < 20; i++) {
      expect(extensionsOf(await login(`fresh${i}@example.com`, 'wrong password!'))).toEqual(THROTTLED);
    }
    expect(await server.countRows('attempt_counters')).toBe(counters);
  });

  it('counts parallel attempts before hashing: 25 at once get 3 verifies, then the right password is refused too', async () => {
    const verifies = held.verifies;
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => login('alice@example.com', i === 24 ? TEST_PASSWORD : `wrong guess ${i}`)),
    );
    const throttled = answers.filter((res) => extensionsOf(res)?.code === 'TOO_MANY_REQUESTS');
    expect(throttled).toHaveLength(22);
    expect(held.verifies - verifies).toBe(3);
    expect(extensionsOf(await login('alice@example.com'))).toEqual(THROTTLED);
  });
});

describeEachDatabase('attempts the server was too busy to check', (dialect) => {
  let server: TestServer;
  beforeEach(async () => {
    const real = (await createHeldHasher()).hasher;
    // Every verify refused as busy, as the hash queue does under a flood.
    const busy = {
      ...real,
      verify: () => Promise.reject(new BusyError(1)),
      verifyAgainstDummy: () => Promise.reject(new BusyError(1)),
    };
    server = await startTestServer(dialect, { passwordHasher: busy });
  });
  afterEach(() => server.close());

  it('are given back, leaving no counter row behind', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await server.execute(LoginDocument, { email: `busy${i}@example.com`, password: 'wrong password!' });
      expect(res.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
    }
    expect(await server.countRows('attempt_counters')).toBe(0);
  });
});
