import { LoginDocument, LogoutDocument, MeDocument, RefreshDocument } from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

describeEachDatabase('health, readiness and metrics', (dialect) => {
  let server: TestServer;
  let base: string;
  let scrape: () => Promise<string>;
  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { METRICS_PORT: '0' } });
    base = server.url.replace(/\/graphql$/, '');
    scrape = async () => {
      const res = await fetch(`${server.app.metricsUrl}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
  });
  afterAll(() => server.close());

  /** The value of one sample, e.g. sample(text, 'tollgate_logins_total{result="success"}'); 0 when absent. */
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((each) => each.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  describe('/healthz', () => {
    it('answers 200 without authentication and is never cached', async () => {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('/readyz', () => {
    it('reports each dependency by a word, and is never cached', async () => {
      const res = await fetch(`${base}/readyz`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', migrations: 'ok', redis: 'not configured', revocations: 'ok' },
      });
    });

    it('answers a burst of probes at once', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/readyz`)));
      expect(answers.every((res) => res.status === 200)).toBe(true);
    });
  });

  describe('/metrics', () => {
    it('is served on its own port, in Prometheus text format, and not on the API port', async () => {
      expect(server.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.app.metricsUrl}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      expect((await fetch(`${server.app.metricsUrl}/graphql`)).status).toBe(404);
    });

    it('includes the process metrics and event-loop lag', async () => {
      const text = await scrape();
      for (const name of [
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_heap_size_used_bytes',
        'tollgate_password_hashes{state="queued"}',
        'tollgate_revocation_in_sync',
        'tollgate_database_reachable',
      ]) {
        expect(text).toContain(`\n${name}`);
      }
    });

    it('counts requests, logins, refreshes and token checks by outcome, never by who', async () => {
      const email = 'counted@example.com';
      const user = await server.signIn(email);
      const before = await scrape();
      await server.execute(LoginDocument, { email, password: 'not the password at all' });
      const login = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
      await server.execute(RefreshDocument, { refreshToken: login.data!.login.refreshToken! });
      await server.execute(RefreshDocument, { refreshToken: 'A'.repeat(43) });
      await server.execute(MeDocument, {}, { token: user.accessToken });
      await server.execute(LogoutDocument, {}, { token: user.accessToken });
      await server.execute(MeDocument, {}, { token: user.accessToken });
      await server.execute(MeDocument, {}, { authorization: 'Bearer nonsense' });
      const after = await scrape();

      const delta = (series: string) => sample(after, series) - sample(before, series);
      expect(delta('tollgate_logins_total{result="success"}')).toBe(1);
      expect(delta('tollgate_logins_total{result="INVALID_CREDENTIALS"}')).toBe(1);
      expect(delta('tollgate_refreshes_total{result="success"}')).toBe(1);
      expect(delta('tollgate_refreshes_total{result="REFRESH_TOKEN_INVALID"}')).toBe(1);
      expect(delta('tollgate_authentications_total{outcome="accepted",reason="none"}')).toBe(2);
      expect(delta('tollgate_authentications_total{outcome="refused",reason="TOKEN_REVOKED"}')).toBe(1);
      expect(delta('tollgate_authentications_total{outcome="refused",reason="TOKEN_INVALID"}')).toBe(1);
      expect(delta('tollgate_graphql_request_duration_seconds_count{operation="mutation",outcome="ok"}')).toBe(3);
      expect(delta('tollgate_graphql_request_duration_seconds_count{operation="query",outcome="ok"}')).toBe(1);
      expect(delta('tollgate_http_requests_total{route="/graphql",method="POST",status="401"}')).toBe(2);
      expect(sample(after, 'tollgate_revocation_list_entries{kind="session"}')).toBeGreaterThanOrEqual(1);

      // Labels come from fixed lists: no user, email, address or token ever appears.
      for (const secret of [user.id, email, user.accessToken, user.refreshToken, '127.0.0.1']) {
        expect(after).not.toContain(secret);
      }
      const labelValues = [...after.matchAll(/="([^"]*)"/g)].map((match) => match[1]!);
      expect(labelValues.filter((value) => value.length > 40 || /@|\d+\.\d+\.\d+\.\d+/.test(value))).toEqual([]);
    });

    it('keeps each app’s numbers to itself (a registry per app)', async () => {
      const other = await startTestServer(dialect, { env: { METRICS_PORT: '0' } });
      try {
        const text = await (await fetch(`${other.app.metricsUrl}/metrics`)).text();
        expect(sample(text, 'tollgate_logins_total{result="success"}')).toBe(0);
      } finally {
        await other.close();
      }
    });
  });
});
