import { LoginDocument } from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { createHeldHasher, type HeldHasher } from '../helpers/held-hasher';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
const WRONG = 'wrong password!';
const VICTIM = 'victim@example.com';
const HOME = '198.51.100.10';
const attacker = (i: number) => `203.0.113.${i}`;

// Window edges are moved with the injected clock, so these run on the database store;
// the Redis store keeps its own clock (test/security/throttling-redis.test.ts).
describeEachDatabase('per-account pacing: failures from elsewhere slow an account, never lock it', (dialect) => {
  let server: TestServer;
  let held: HeldHasher;
  beforeEach(async () => {
    held = await createHeldHasher();
    server = await startTestServer(dialect, {
      env: {
        LOGIN_MAX_FAILURES_PER_EMAIL_IP: '3',
        LOGIN_MAX_FAILURES_PER_IP: '50',
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '6',
        LOGIN_ACCOUNT_SLOWDOWN: '10s',
        LOGIN_FAILURE_WINDOW: '15m',
        // The client address comes from X-Forwarded-For, as behind a load balancer.
        TRUST_PROXY_HOPS: '1',
      },
      passwordHasher: held.hasher,
    });
    await server.createUser(VICTIM);
  });
  afterEach(() => server.close());

  const login = (ip: string, password = TEST_PASSWORD, email = VICTIM) =>
    server.execute(LoginDocument, { email, password }, { headers: { 'x-forwarded-for': ip } });
  /** Two attacker addresses spend their per-(email, IP) budgets: 6 failures, the account's allowance. */
  const exhaustAllowance = async (email = VICTIM) => {
    for (const ip of [attacker(1), attacker(2)]) {
      for (let i = 0; i < 3; i++)
        expect(extensionsOf(await login(ip, WRONG, email))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    }
  };
  const PACED = { code: 'TOO_MANY_REQUESTS', retryAfter: 10 };

  it('lets the owner in from another address after a short wait, while the attacker stays stopped', async () => {
    await exhaustAllowance();
    // Per (email, IP): stopped for the window, right password or not.
    expect(extensionsOf(await login(attacker(1)))).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 900 });
    // A fresh address: the account is paced now, and this attempt takes the slot (and fails).
    expect(extensionsOf(await login(attacker(3), WRONG))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });

    const waited = await login(HOME);
    expect(extensionsOf(waited)).toEqual(PACED);
    expect(waited.errors![0]!.message).toBe('Too many failed logins for this account; try again in a few seconds.');
    server.clock.advance(10);
    expect((await login(HOME)).data?.login.user.email).toBe(VICTIM);

    // The attacker's addresses are still stopped, for the rest of their window.
    expect(extensionsOf(await login(attacker(1)))).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 890 });
    expect(extensionsOf(await login(attacker(2), WRONG))).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('paces the account from every address together: one attempt per slot reaches argon2', async () => {
    await exhaustAllowance();
    for (let slot = 0; slot < 3; slot++) {
      const verifies = held.verifies;
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => login(attacker(10 + slot * 6 + i), WRONG)));
      const codes = answers.map((res) => extensionsOf(res)?.code);
      expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(1);
      expect(answers.filter((res) => extensionsOf(res)?.code === 'TOO_MANY_REQUESTS').map(extensionsOf)).toEqual(
        Array.from({ length: 5 }, () => PACED),
      );
      expect(held.verifies - verifies).toBe(1);
      server.clock.advance(4);
      expect(extensionsOf(await login(attacker(99), WRONG))).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter: 6 });
      server.clock.advance(6);
    }
  });

  it('gives the slot back when the login succeeds', async () => {
    await exhaustAllowance();
    expect((await login(HOME)).errors).toBeUndefined();
    // The owner's success is no failure: the next attempt, from anywhere, need not wait.
    expect(extensionsOf(await login(attacker(3), WRONG))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    expect(extensionsOf(await login(HOME))).toEqual(PACED);
  });

  it('paces until the account window ends; then the allowance starts again', async () => {
    await exhaustAllowance();
    server.clock.advance(15 * 60 - 1);
    await login(attacker(3), WRONG);
    expect(extensionsOf(await login(attacker(4), WRONG))).toEqual(PACED);
    server.clock.advance(1);
    // A new account window (and new per-address windows): three quick failures pass unpaced.
    for (let i = 0; i < 3; i++) {
      expect(extensionsOf(await login(attacker(4), WRONG))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    }
  });

  it('paces an email that is no account exactly like one that is', async () => {
    const ghost = 'nobody@example.com';
    await exhaustAllowance(ghost);
    expect(extensionsOf(await login(attacker(3), WRONG, ghost))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    const paced = await login(HOME, TEST_PASSWORD, ghost);
    expect(extensionsOf(paced)).toEqual(PACED);
  });
});

describeEachDatabase('throttling counts a client network, not an address', (dialect) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(dialect, {
      env: { LOGIN_MAX_FAILURES_PER_IP: '3', LOGIN_MAX_FAILURES_PER_EMAIL_IP: '3', TRUST_PROXY_HOPS: '1' },
    });
    await server.createUser('user@example.com');
  });
  afterEach(() => server.close());

  const login = (ip: string, email: string, password = WRONG) =>
    server.execute(LoginDocument, { email, password }, { headers: { 'x-forwarded-for': ip } });

  it('counts every IPv6 address of one /64 together, and the next /64 apart', async () => {
    for (const [i, ip] of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:DB8:1:2:AAAA:BBBB:CCCC:DDDD'].entries()) {
      expect(extensionsOf(await login(ip, `guess${i}@example.com`))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    }
    expect(extensionsOf(await login('2001:db8:1:2:ffff::9', 'user@example.com', TEST_PASSWORD))).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
    });
    expect((await login('2001:db8:1:3::1', 'user@example.com', TEST_PASSWORD)).errors).toBeUndefined();
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', async () => {
    for (let i = 0; i < 3; i++) await login('::ffff:192.0.2.7', `guess${i}@example.com`);
    expect(extensionsOf(await login('192.0.2.7', 'user@example.com', TEST_PASSWORD))).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
    });
    expect((await login('192.0.2.8', 'user@example.com', TEST_PASSWORD)).errors).toBeUndefined();
  });

  it('records the full address in the audit log and sessions, not the /64', async () => {
    const res = await login('2001:db8:1:2::abcd', 'user@example.com', TEST_PASSWORD);
    expect(res.errors).toBeUndefined();
    const session = await server.app.services.database.db.selectFrom('sessions').select('ip').executeTakeFirstOrThrow();
    expect(session.ip).toBe('2001:db8:1:2::abcd');
  });
});
