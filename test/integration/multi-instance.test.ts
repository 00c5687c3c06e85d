import { LoginDocument, LogoutDocument, MeDocument, RefreshDocument, SetUserRolesDocument } from '../generated/graphql';
import { Role } from '../../src/auth/roles';
import { TestClock } from '../helpers/clock';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { postgresAvailable } from '../helpers/postgres';
import { REDIS_URL, redisAvailable, uniqueRedisPrefix } from '../helpers/redis';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

const canRun = postgresAvailable() && redisAvailable();

// Two instances of one deployment: one PostgreSQL database, one Redis, separate memories.
(canRun ? describe : describe.skip)('several instances sharing PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const clock = new TestClock(Date.now());
    const env = { REDIS_URL, REDIS_KEY_PREFIX: uniqueRedisPrefix() };
    a = await startTestServer('postgres', { database, clock, env });
    b = await startTestServer('postgres', { database, clock, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.dispose();
  });

  it('a logout on one instance is honoured by the other on the next request', async () => {
    const user = await a.signIn('roaming@example.com');
    expect((await b.execute(MeDocument, {}, { token: user.accessToken })).status).toBe(200);
    await a.execute(LogoutDocument, {}, { token: user.accessToken });
    const res = await b.execute(MeDocument, {}, { token: user.accessToken });
    expect(res.status).toBe(401);
    expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
  });

  it('a role change on one instance makes tokens stale on the other', async () => {
    const admin = await a.signIn('boss@example.com', [Role.ADMIN]);
    const user = await b.signIn('promoted@example.com');
    await a.execute(SetUserRolesDocument, { userId: user.id, roles: ['EDITOR'] }, { token: admin.accessToken });
    const res = await b.execute(MeDocument, {}, { token: user.accessToken });
    expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_STALE' });
  });

  it('20 concurrent refreshes spread over both instances agree, with one rotation written', async () => {
    await a.createUser('racer@example.com');
    const login = await a.execute(LoginDocument, { email: 'racer@example.com', password: TEST_PASSWORD });
    const refreshToken = login.data!.login.refreshToken!;
    const before = await a.countRows('refresh_tokens');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).execute(RefreshDocument, { refreshToken })),
    );
    expect(answers.every((answer) => answer.errors === undefined)).toBe(true);
    expect(new Set(answers.map((answer) => JSON.stringify(answer.data))).size).toBe(1);
    expect(await a.countRows('refresh_tokens')).toBe(before + 1);
  });

  it('a new instance learns the revocations made before it started', async () => {
    const user = await a.signIn('early@example.com');
    await a.execute(LogoutDocument, {}, { token: user.accessToken });
    const late = await startTestServer('postgres', {
      database,
      env: { REDIS_URL, REDIS_KEY_PREFIX: uniqueRedisPrefix() },
    });
    try {
      const res = await late.execute(MeDocument, {}, { token: user.accessToken });
      expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    } finally {
      await late.close();
    }
  });
});

if (!canRun) {
  describe.skip('several instances sharing PostgreSQL and Redis (skipped: needs both services)', () => {
    it('needs PostgreSQL and Redis', () => undefined);
  });
}
