import { retiredKeyLifetimeMs } from '../../src/auth/keys/key-ring';
import { maxAcceptanceMsFor, refusedFromMs } from '../../src/auth/tokens';
import { JWKS_PATH } from '../../src/server';
import { LoginDocument, MeDocument, RefreshDocument } from '../generated/graphql';
import { TestClock } from '../helpers/clock';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { TestKeyDirectory, headerOf, signWithKey } from '../helpers/signing-keys';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

/*
 * Two instances of one deployment (one database, one key directory) serve a steady stream of
 * `me` requests while the signing key is published, promoted and retired. Each instance
 * re-reads the directory when the test says so (standing in for its 30 s timer), so one can
 * lag behind the other, as in a fleet. Keys do not depend on the database: SQLite only.
 */

interface Answer {
  readonly status: number;
  readonly id: string | null;
  readonly kid: unknown;
}

/** Workers calling `me` back to back on every server, each with a token from the pool. */
class Traffic {
  readonly answers: Answer[] = [];
  private stopped = false;
  private gate: Promise<void> | null = null;
  private openGate: () => void = () => undefined;
  private inFlight = 0;
  private readonly workers: Promise<void>[];

  constructor(
    private readonly servers: readonly TestServer[],
    private readonly pool: () => readonly string[],
    workerCount = 4,
  ) {
    this.workers = Array.from({ length: workerCount }, (_, i) => this.work(i));
  }

  /** Resolves once `count` more answers have come back. */
  async flow(count: number): Promise<void> {
    const target = this.answers.length + count;
    while (this.answers.length < target) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  /** Holds new requests and waits for those in flight: only around moves of the test clock. */
  async pause(): Promise<void> {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
    while (this.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  resume(): void {
    this.gate = null;
    this.openGate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resume();
    await Promise.all(this.workers);
  }

  private async work(offset: number): Promise<void> {
    for (let n = offset; !this.stopped; n++) {
      if (this.gate) await this.gate;
      if (this.stopped) break;
      const tokens = this.pool();
      const token = tokens[n % tokens.length]!;
      this.inFlight++;
      try {
        const res = await this.servers[n % this.servers.length]!.execute(MeDocument, {}, { token });
        this.answers.push({ status: res.status, id: res.data?.me?.id ?? null, kid: headerOf(token).kid });
      } finally {
        this.inFlight--;
      }
    }
  }
}

describe('rotating the signing key while requests are served', () => {
  const directory = new TestKeyDirectory();
  const clock = new TestClock(Date.now());
  let database: TestDatabase;
  let x: TestServer;
  let y: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    const first = await directory.add('ES256');
    await directory.promote(first);
    const env = {
      JWT_ALGORITHM: 'ES256',
      JWT_KEYS_DIR: directory.dir,
      JWT_SECRET: '',
      // Long, so that only the test reloads; retired keys live this much longer, accordingly.
      JWT_KEYS_RELOAD_INTERVAL: '10m',
    };
    x = await startTestServer('sqlite', { database, clock, env });
    y = await startTestServer('sqlite', { database, clock, env });
  });
  afterAll(async () => {
    await x?.close();
    await y?.close();
    await database?.dispose();
    directory.dispose();
  });

  const jwksKids = async (server: TestServer) => {
    const { keys } = (await (await fetch(new URL(JWKS_PATH, server.url))).json()) as { keys: Array<{ kid: string }> };
    return keys.map((key) => key.kid);
  };
  const login = async (server: TestServer, email: string) => {
    const res = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
    return { accessToken: res.data!.login.accessToken, refreshToken: res.data!.login.refreshToken! };
  };
  const refresh = async (server: TestServer, refreshToken: string) => {
    const res = await server.execute(RefreshDocument, { refreshToken });
    return { accessToken: res.data!.refresh.accessToken, refreshToken: res.data!.refresh.refreshToken! };
  };
  const expOf = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
  const reloadBoth = async () => {
    expect(await x.app.services.signingKeys.reload()).toBe(true);
    expect(await y.app.services.signingKeys.reload()).toBe(true);
  };

  it('publish → promote → retire → drop: zero refused requests, old tokens honoured until they expire', async () => {
    const email = 'rotating@example.com';
    const user = await x.signIn(email);
    const oldKid = headerOf(user.accessToken).kid as string;
    const sessions = [user, await login(y, email)];
    let pool = sessions.map((session) => session.accessToken);
    const traffic = new Traffic([x, y], () => pool);
    try {
      await traffic.flow(40);

      // 1. Publish: the new key reaches each instance at its own reload; nothing signs with it yet.
      const newKid = await directory.add('ES256');
      await traffic.flow(20);
      await x.app.services.signingKeys.reload();
      await traffic.flow(20);
      await y.app.services.signingKeys.reload();
      await traffic.flow(20);
      expect(await jwksKids(x)).toEqual([oldKid, newKid]);
      expect(await jwksKids(y)).toEqual([oldKid, newKid]);
      // Same files, same bytes: an ETag from one instance revalidates on any other behind the balancer.
      const etags = await Promise.all(
        [x, y].map(async (server) => (await fetch(new URL(JWKS_PATH, server.url))).headers.get('etag')),
      );
      expect(etags[0]).toBe(etags[1]);
      expect(headerOf((await login(x, email)).accessToken).kid).toBe(oldKid);

      // 2. Promote: X switches first; Y, not yet reloaded, still signs with the old key. Each accepts the other's.
      await directory.promote(newKid);
      await traffic.flow(20);
      await x.app.services.signingKeys.reload();
      const fromX = await login(x, email);
      const fromLaggingY = await login(y, email);
      expect(headerOf(fromX.accessToken).kid).toBe(newKid);
      expect(headerOf(fromLaggingY.accessToken).kid).toBe(oldKid);
      sessions.push(fromX, fromLaggingY);
      pool = [...pool, fromX.accessToken, fromLaggingY.accessToken];
      await traffic.flow(40);
      await y.app.services.signingKeys.reload();
      const fromY = await login(y, email);
      expect(headerOf(fromY.accessToken).kid).toBe(newKid);
      sessions.push(fromY);
      pool = [...pool, fromY.accessToken];
      await traffic.flow(40);
      expect(await jwksKids(x)).toEqual([newKid, oldKid]);

      // 3. Retire the old key: it keeps verifying (and stays in the JWKS) while its tokens can live.
      const retiredAt = clock.now();
      await directory.retire(oldKid, retiredAt);
      await traffic.flow(20);
      await reloadBoth();
      await traffic.flow(40);
      expect(await jwksKids(y)).toEqual([newKid, oldKid]);

      // Old tokens work up to their own expiry, and expire as any token does.
      const oldExpiry = refusedFromMs(expOf(user.accessToken));
      await traffic.pause();
      clock.advance((oldExpiry - 1 - clock.now()) / 1000);
      traffic.resume();
      await traffic.flow(40);
      await traffic.pause();
      clock.advance(0.001);
      const expired = await x.execute(MeDocument, {}, { token: user.accessToken });
      expect(expired.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
      // Clients refresh, as they do every 15 minutes: from now on every token carries the new kid.
      const renewed = await Promise.all(sessions.map((session, i) => refresh(i % 2 ? y : x, session.refreshToken)));
      expect(renewed.map((session) => headerOf(session.accessToken).kid)).toEqual(renewed.map(() => newKid));
      pool = renewed.map((session) => session.accessToken);
      traffic.resume();
      await traffic.flow(40);

      // 4. Drop: one instant before, the old key still verifies; from then on it is gone everywhere.
      const dropsAt = retiredAt + retiredKeyLifetimeMs(maxAcceptanceMsFor(900), 600_000);
      const claims = JSON.parse(Buffer.from(pool[0]!.split('.')[1]!, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      const signedByOldKey = async () => {
        const iat = Math.floor(clock.now() / 1000);
        const header = { alg: 'ES256', typ: 'at+jwt', kid: oldKid };
        return signWithKey(await directory.privateKey(oldKid), header, { ...claims, iat, exp: iat + 60 });
      };
      await traffic.pause();
      clock.advance((dropsAt - 1 - clock.now()) / 1000);
      expect(await jwksKids(x)).toEqual([newKid, oldKid]);
      expect((await y.execute(MeDocument, {}, { token: await signedByOldKey() })).status).toBe(200);
      traffic.resume();
      await traffic.flow(40);
      await traffic.pause();
      clock.advance(0.001);
      expect(await jwksKids(x)).toEqual([newKid]);
      const dropped = await y.execute(MeDocument, {}, { token: await signedByOldKey() });
      expect(dropped.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
      traffic.resume();
      await traffic.flow(40);
    } finally {
      await traffic.stop();
    }

    const refused = traffic.answers.filter((answer) => answer.status !== 200 || answer.id !== user.id);
    expect(refused).toEqual([]);
    expect(traffic.answers.length).toBeGreaterThanOrEqual(500);
    expect(new Set(traffic.answers.map((answer) => answer.kid)).size).toBe(2);
  });
});

describe('refresh tokens, whatever signs the access tokens', () => {
  const directory = new TestKeyDirectory();
  let database: TestDatabase;
  let hs: TestServer;
  let es: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    const kid = await directory.add('ES256');
    await directory.promote(kid);
    const clock = new TestClock(Date.now());
    // One deployment in the middle of an algorithm switch: the same REFRESH_TOKEN_SECRET (the helper's), no shared signing key.
    hs = await startTestServer('sqlite', { database, clock });
    es = await startTestServer('sqlite', {
      database,
      clock,
      env: { JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: directory.dir, JWT_SECRET: '' },
    });
  });
  afterAll(async () => {
    await hs?.close();
    await es?.close();
    await database?.dispose();
    directory.dispose();
  });

  it('derive the same successor on an HS256 and an ES256 instance: racing refreshes agree across a switch', async () => {
    const { refreshToken } = await hs.signIn('switching@example.com');
    const first = await hs.execute(RefreshDocument, { refreshToken });
    const twin = await es.execute(RefreshDocument, { refreshToken });
    expect(twin.errors).toBeUndefined();
    expect(twin.data!.refresh.refreshToken).toBe(first.data!.refresh.refreshToken);
    expect(headerOf(first.data!.refresh.accessToken).alg).toBe('HS256');
    expect(headerOf(twin.data!.refresh.accessToken).alg).toBe('ES256');
    // The successor is a real session token on both: the next refresh works anywhere.
    const next = await es.execute(RefreshDocument, { refreshToken: twin.data!.refresh.refreshToken! });
    expect(next.errors).toBeUndefined();
  });
});
