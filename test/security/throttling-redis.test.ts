import net, { type AddressInfo } from 'node:net';
import Redis from 'ioredis';
import pino from 'pino';
import { RedisAttemptStore } from '../../src/modules/credentials/redis-attempt-store';
import { LoginDocument } from '../generated/graphql';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { createHeldHasher, type HeldHasher } from '../helpers/held-hasher';
import { postgresAvailable } from '../helpers/postgres';
import { REDIS_URL, redisAvailable, uniqueRedisPrefix } from '../helpers/redis';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

// With REDIS_URL the counters live in Redis (rate-limiter-flexible), on Redis's clock: these
// tests never move time. Window edges are specified on the database store with an injected
// clock (login-throttle.test.ts, account-pacing.test.ts).

const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
const codesOf = (answers: ReadonlyArray<GraphQLResponse<unknown>>) => answers.map((res) => extensionsOf(res)?.code);
const count = (codes: readonly unknown[], code: string) => codes.filter((c) => c === code).length;
const WRONG = (i: number) => `wrong guess ${i}`;

/** The attempt counters one deployment holds in Redis: key → count. */
async function redisCounters(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const keys = await redis.keys(`${prefix}*`);
  const counters = new Map<string, number>();
  for (const key of keys) counters.set(key, Number(await redis.get(key)));
  return counters;
}

async function forget(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

(redisAvailable() ? describe : describe.skip)('attempt counters in Redis', () => {
  let redis: Redis;
  let prefix: string;
  let server: TestServer;
  let held: HeldHasher;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.quit());
  beforeEach(async () => {
    prefix = uniqueRedisPrefix();
    held = await createHeldHasher();
    server = await startTestServer('sqlite', {
      env: {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        LOGIN_MAX_FAILURES_PER_EMAIL_IP: '10',
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '20',
        TRUST_PROXY_HOPS: '1',
      },
      passwordHasher: held.hasher,
    });
    await server.createUser('alice@example.com');
  });
  afterEach(async () => {
    await server.close();
    await forget(redis, prefix);
  });

  const login = (password: string, ip = '192.0.2.1', email = 'alice@example.com') =>
    server.execute(LoginDocument, { email, password }, { headers: { 'x-forwarded-for': ip } });

  it('lets exactly the limit of 25 parallel guesses reach argon2, then refuses the right password too', async () => {
    const verifies = held.verifies;
    const codes = codesOf(await Promise.all(Array.from({ length: 25 }, (_, i) => login(WRONG(i)))));
    expect([count(codes, 'UNAUTHENTICATED'), count(codes, 'TOO_MANY_REQUESTS')]).toEqual([10, 15]);
    expect(held.verifies - verifies).toBe(10);

    const refused = await login(TEST_PASSWORD);
    expect(extensionsOf(refused)?.code).toBe('TOO_MANY_REQUESTS');
    expect(extensionsOf(refused)?.retryAfter).toBeGreaterThan(890);
    expect(extensionsOf(refused)?.retryAfter).toBeLessThanOrEqual(900);
    // Counted in Redis, not in the database.
    expect(await server.countRows('attempt_counters')).toBe(0);
  });

  it('keeps keyed hashes only, and counts nothing for refused attempts', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => login(WRONG(i))));
    const counters = await redisCounters(redis, prefix);
    // Per IP, per email and IP, per account: each holds the 10 guesses that ran, not the 25 sent.
    expect([...counters.values()]).toEqual([10, 10, 10]);
    for (const key of counters.keys()) {
      expect(key).toMatch(new RegExp(`^${prefix}attempts:[0-9a-f]{64}$`));
      expect(await redis.pttl(key)).toBeGreaterThan(890_000);
    }
    expect(JSON.stringify([...counters.keys()])).not.toMatch(/example\.com|192\.0\.2\.1|alice/);
  });

  it('gives a successful login its attempt back', async () => {
    for (let i = 0; i < 4; i++) await login(WRONG(i));
    expect((await login(TEST_PASSWORD)).errors).toBeUndefined();
    expect([...(await redisCounters(redis, prefix)).values()]).toEqual([4, 4, 4]);
  });

  it('paces an account across addresses: past its failures, one attempt per slot', async () => {
    // Two addresses spend the account's allowance of 20.
    for (const ip of ['192.0.2.1', '192.0.2.2']) {
      for (let i = 0; i < 10; i++) await login(WRONG(i), ip);
    }
    const verifies = held.verifies;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => login(TEST_PASSWORD, `198.51.100.${i}`)));
    const codes = codesOf(answers);
    expect(count(codes, 'TOO_MANY_REQUESTS')).toBe(5);
    expect(held.verifies - verifies).toBe(1);
    for (const res of answers.filter((r) => extensionsOf(r)?.code === 'TOO_MANY_REQUESTS')) {
      expect(extensionsOf(res)?.retryAfter).toBeLessThanOrEqual(10);
    }
  });
});

(redisAvailable() ? describe : describe.skip)('the Redis store', () => {
  let redis: Redis;
  let store: RedisAttemptStore;
  const prefix = uniqueRedisPrefix();
  const spec = { name: 'test', max: 2, windowSeconds: 60 };
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new RedisAttemptStore({ url: REDIS_URL, keyPrefix: prefix }, pino({ level: 'silent' }));
    await store.start();
  });
  afterAll(async () => {
    await store.close();
    await forget(redis, prefix);
    await redis.quit();
  });
  const stored = (key: string) => redis.get(`${prefix}attempts:${key}`);

  it('answers an attempt over the limit without storing it', async () => {
    expect((await store.add(spec, 'a')).count).toBe(1);
    expect((await store.add(spec, 'a')).count).toBe(2);
    const over = await store.add(spec, 'a');
    expect(over.count).toBe(3);
    expect(over.msLeft).toBeGreaterThan(59_000);
    expect(await stored('a')).toBe('2');
    await over.takeBack();
    expect(await stored('a')).toBe('2');
  });

  it('takes back into the window only: never opening one, never below zero', async () => {
    const first = await store.add(spec, 'b');
    const second = await store.add(spec, 'b');
    // The window ends (Redis expires the key) before the refunds arrive.
    await redis.del(`${prefix}attempts:b`);
    await first.takeBack();
    expect(await stored('b')).toBeNull();
    // A new window, then more refunds than it holds.
    await store.add(spec, 'b');
    await first.takeBack();
    await second.takeBack();
    expect(await stored('b')).toBe('0');
    expect((await store.add(spec, 'b')).count).toBe(1);
  });
});

(redisAvailable() && postgresAvailable() ? describe : describe.skip)('Redis counters across two instances', () => {
  let redis: Redis;
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  const prefix = uniqueRedisPrefix();

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    database = await createTestDatabase('postgres');
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, LOGIN_MAX_FAILURES_PER_EMAIL_IP: '10' };
    a = await startTestServer('postgres', { database, env });
    b = await startTestServer('postgres', { database, env });
    await a.createUser('shared@example.com');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.dispose();
    await forget(redis, prefix);
    await redis.quit();
  });

  it('lets exactly the limit through when guesses are spread over both at once; then both refuse', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 ? a : b).execute(LoginDocument, { email: 'shared@example.com', password: WRONG(i) }),
      ),
    );
    const codes = codesOf(answers);
    expect([count(codes, 'UNAUTHENTICATED'), count(codes, 'TOO_MANY_REQUESTS')]).toEqual([10, 14]);
    for (const server of [a, b]) {
      const res = await server.execute(LoginDocument, { email: 'shared@example.com', password: TEST_PASSWORD });
      expect(extensionsOf(res)?.code).toBe('TOO_MANY_REQUESTS');
    }
    expect(await a.countRows('attempt_counters')).toBe(0);
  });
});

/** A TCP relay to Redis that the test can cut and restore, standing in for Redis going away. */
class Relay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async open(): Promise<void> {
    const target = new URL(REDIS_URL);
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

(redisAvailable() ? describe : describe.skip)('when Redis is unreachable', () => {
  let redis: Redis;
  let relay: Relay;
  let server: TestServer;
  const prefix = uniqueRedisPrefix();

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    relay = new Relay();
    await relay.open();
    server = await startTestServer('sqlite', {
      env: {
        REDIS_URL: `redis://127.0.0.1:${relay.port}`,
        REDIS_KEY_PREFIX: prefix,
        LOGIN_MAX_FAILURES_PER_EMAIL_IP: '3',
      },
    });
    await server.createUser('alice@example.com');
  });
  afterAll(async () => {
    await server?.close();
    await relay?.cut().catch(() => undefined);
    await forget(redis, prefix);
    await redis.quit();
  });

  const login = (password: string, email = 'alice@example.com') => server.execute(LoginDocument, { email, password });

  it('counts in the database meanwhile (never "allow everything"), and in Redis again once it is back', async () => {
    for (let i = 0; i < 2; i++) expect(extensionsOf(await login(WRONG(i)))?.reason).toBe('INVALID_CREDENTIALS');
    expect(await server.countRows('attempt_counters')).toBe(0);

    await relay.cut();
    // The database starts from what it holds (nothing): a full window's budget, then the brake.
    for (let i = 0; i < 3; i++) expect(extensionsOf(await login(WRONG(i)))?.reason).toBe('INVALID_CREDENTIALS');
    expect(extensionsOf(await login(TEST_PASSWORD))?.code).toBe('TOO_MANY_REQUESTS');
    expect(await server.countRows('attempt_counters')).toBeGreaterThan(0);

    await relay.open();
    // ioredis reconnects by itself (backing off up to 2 s); probe with other emails until the database stops counting.
    const deadline = Date.now() + 10_000;
    for (let probe = 0; ; probe++) {
      const rows = await server.countRows('attempt_counters');
      await login(WRONG(0), `probe${probe}@example.com`);
      if ((await server.countRows('attempt_counters')) === rows) break;
      if (Date.now() > deadline) throw new Error('the attempt counters never went back to Redis');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Alice's counter in Redis survived the outage: 2 of 3, so one more failure, then the brake.
    expect(extensionsOf(await login(WRONG(9)))?.reason).toBe('INVALID_CREDENTIALS');
    expect(extensionsOf(await login(TEST_PASSWORD))?.code).toBe('TOO_MANY_REQUESTS');
  });
});
