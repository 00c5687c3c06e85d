import { LoginDocument, MeDocument, RefreshDocument, SignUpDocument } from '../generated/graphql';
import { capturingLogger } from '../helpers/capturing-logger';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { POSTGRES_ADMIN_URL, postgresAvailable } from '../helpers/postgres';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

// PostgreSQL reached through a proxy of this test's own, cut and restored: the shared server never stops.
(postgresAvailable() ? describe : describe.skip)('when PostgreSQL is unreachable', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let base: string;
  const { logger, lines } = capturingLogger('warn');

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const target = new URL(POSTGRES_ADMIN_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    server = await startTestServer('postgres', {
      database: { ...database, url: proxy.via(database.url) },
      logger,
      env: { DATABASE_QUERY_TIMEOUT: '2s' },
    });
    base = server.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await proxy?.restore();
    await server?.close();
    await proxy?.close();
    await database?.dispose();
  });

  const readiness = async () => {
    const res = await fetch(`${base}/readyz`);
    return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
  };
  const expectUnavailable = (res: GraphQLResponse<unknown>) => {
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.errors).toEqual([
      expect.objectContaining({
        message: 'The service is temporarily unavailable; try again shortly.',
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5 },
      }),
    ]);
    // Nothing about where the database is or what the driver said.
    expect(JSON.stringify(res)).not.toMatch(/5432|127\.0\.0\.1|ECONN|postgres|pg|connect|terminated/i);
    expect(JSON.stringify(res)).not.toContain(String(proxy.port));
  };

  it('answers 503 SERVICE_UNAVAILABLE to every request that needs it, and readiness fails', async () => {
    const user = await server.signIn('outage@example.com');
    await proxy.cut();

    expectUnavailable(await server.execute(MeDocument, {}, { token: user.accessToken }));
    expectUnavailable(await server.execute(LoginDocument, { email: 'outage@example.com', password: TEST_PASSWORD }));
    expectUnavailable(await server.execute(RefreshDocument, { refreshToken: user.refreshToken }));
    expectUnavailable(
      await server.execute(SignUpDocument, {
        input: { email: 'new@example.com', password: TEST_PASSWORD, displayName: 'New' },
      }),
    );
    // What needs no database still answers; the process is alive.
    const typename = await server.post({ query: '{ __typename }' }, { authorization: `Bearer ${user.accessToken}` });
    expect(typename.status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await readiness()).toEqual({
      status: 503,
      body: expect.objectContaining({ checks: expect.objectContaining({ database: 'unreachable' }) }),
    });
    // Logged for the operator once, with the driver's reason; not once per request.
    expect(lines.filter((line) => String(line.msg).startsWith('PostgreSQL is unreachable'))).toHaveLength(1);
  });

  it('recovers by itself when PostgreSQL is back: the next request is served', async () => {
    await proxy.restore();
    const user = await server.signIn('after@example.com');
    expect((await server.execute(MeDocument, {}, { token: user.accessToken })).status).toBe(200);
    expect((await readiness()).status).toBe(200);
  });

  it('fails fast on a silent network too (a connection that never answers is dropped)', async () => {
    const user = await server.signIn('silent@example.com');
    proxy.freeze();
    const startedAt = Date.now();
    // A pooled connection that went silent: its statement times out (DATABASE_QUERY_TIMEOUT, 2 s here).
    expectUnavailable(await server.execute(MeDocument, {}, { token: user.accessToken }));
    // A new connection that is never answered: the connect timeout (3 s).
    expectUnavailable(await server.execute(MeDocument, {}, { token: user.accessToken }));
    expect(Date.now() - startedAt).toBeLessThan(8000);
    await proxy.restore();
    expect((await server.execute(MeDocument, {}, { token: user.accessToken })).status).toBe(200);
  });
});

if (!postgresAvailable()) {
  describe.skip('when PostgreSQL is unreachable (skipped: PostgreSQL is not reachable)', () => {
    it('needs PostgreSQL at 127.0.0.1:5432', () => undefined);
  });
}
