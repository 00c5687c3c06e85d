import { LoginDocument } from '../generated/graphql';
import { TestClock } from '../helpers/clock';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { postgresAvailable } from '../helpers/postgres';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

// Two instances of one deployment on one PostgreSQL database: the counters are shared and atomic.
(postgresAvailable() ? describe : describe.skip)('login throttling across instances', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const clock = new TestClock(Date.now());
    const env = { LOGIN_MAX_FAILURES_PER_EMAIL_IP: '10' };
    a = await startTestServer('postgres', { database, clock, env });
    b = await startTestServer('postgres', { database, clock, env });
    await a.createUser('shared@example.com');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.dispose();
  });

  it('lets exactly the limit through when attempts are spread over both at once, and both then refuse', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 ? a : b).execute(LoginDocument, { email: 'shared@example.com', password: `wrong guess ${i}` }),
      ),
    );
    const codes = answers.map((res) => res.errors?.[0]?.extensions?.code);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(10);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(14);
    for (const server of [a, b]) {
      const res = await server.execute(LoginDocument, { email: 'shared@example.com', password: TEST_PASSWORD });
      expect(res.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
    }
  });
});
