import { Writable } from 'node:stream';
import {
  ChangePasswordDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshDocument,
  SignUpDocument,
} from '../generated/graphql';
import { createLogger } from '../../src/logger';
import { MODULES } from '../../src/modules';
import { diagnosticsModule } from '../fixtures/diagnostics/diagnostics.module';
import { describeEachDatabase } from '../helpers/databases';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** The app's own logger (redaction and all) at trace, writing into memory. */
function capturedLog() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    logger: createLogger({ logLevel: 'trace' }, stream),
    text: () => text,
    lines: () =>
      text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => void (text = ''),
  };
}

describeEachDatabase('what reaches the log', (dialect) => {
  const log = capturedLog();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect, { logger: log.logger, modules: [...MODULES, diagnosticsModule] });
    // From here on every line is written while a request is served.
    log.clear();
  });
  afterAll(() => server.close());

  const cookieValue = (headers: Headers) =>
    headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith('__Host-tollgate-refresh='))!
      .split(';')[0]!
      .split('=')[1]!;
  const query = (text: string, headers: Record<string, string> = {}) =>
    server.post({ query: text }, headers).then(async (res) => ({ requestId: res.headers.get('x-request-id')!, res }));

  it('holds no password, access token, refresh token or cookie after a whole walkthrough at trace level', async () => {
    const secrets: string[] = [];
    const keep = <T extends string | null | undefined>(secret: T): T => {
      if (secret) secrets.push(secret);
      return secret;
    };
    const email = 'walker@example.com';
    const password = keep('first password of the walkthrough');
    const newPassword = keep('second password of the walkthrough');

    const signUp = await server.execute(SignUpDocument, { input: { email, password, displayName: 'Walker' } });
    keep(signUp.data!.signUp.accessToken);
    keep(signUp.data!.signUp.refreshToken);
    const login = await server.execute(LoginDocument, { email, password });
    const accessToken = keep(login.data!.login.accessToken);
    const refreshToken = keep(login.data!.login.refreshToken!);
    const cookieLogin = await server.execute(LoginDocument, { email, password, useCookie: true });
    keep(cookieLogin.data!.login.accessToken);
    const cookie = keep(cookieValue(cookieLogin.headers));

    expect((await server.execute(MeDocument, {}, { token: accessToken })).data!.me!.email).toBe(email);
    const refreshed = await server.execute(RefreshDocument, { refreshToken });
    const current = keep(refreshed.data!.refresh.accessToken);
    keep(refreshed.data!.refresh.refreshToken);
    const byCookie = await server.execute(
      RefreshDocument,
      {},
      { headers: { cookie: `__Host-tollgate-refresh=${cookie}` } },
    );
    keep(byCookie.data!.refresh.accessToken);
    keep(cookieValue(byCookie.headers));
    const changed = await server.execute(
      ChangePasswordDocument,
      { currentPassword: password, newPassword },
      { token: current },
    );
    expect(changed.errors).toBeUndefined();
    const wrong = keep('a wrong password typed by mistake');
    expect((await server.execute(LoginDocument, { email, password: wrong })).errors).toHaveLength(1);
    // A refresh token pasted where an access token goes, and secrets handed to resolvers that log or fail.
    expect((await server.execute(MeDocument, {}, { authorization: `Bearer ${refreshToken}` })).status).toBe(401);
    await query(`{ writeLogLine(refreshToken: "${refreshToken}") }`);
    await query(`{ failUnexpectedly(note: "${accessToken}") }`);
    await server.execute(LogoutDocument, {}, { token: current });
    expect((await server.execute(MeDocument, {}, { token: current })).status).toBe(401);

    const written = log.text();
    expect(log.lines().length).toBeGreaterThan(10);
    expect(secrets.length).toBeGreaterThanOrEqual(12);
    for (const secret of secrets) expect(written).not.toContain(secret);
    expect(written).toContain('[redacted]');
  });

  it('writes the request id on every line of a request, resolvers and error reports included', async () => {
    log.clear();
    const resolverLine = await query('{ writeLogLine(refreshToken: "hello") }');
    const failure = await query('{ failUnexpectedly(note: "hello") }');
    await query('{ __typename }', { authorization: 'Bearer not-a-token' });

    const lines = log.lines();
    expect(lines.every((line) => typeof line.reqId === 'string')).toBe(true);
    const idOf = (message: string) => lines.find((line) => line.msg === message)?.reqId;
    expect(idOf('a resolver line')).toBe(resolverLine.requestId);
    expect(idOf('unexpected error while answering a GraphQL request')).toBe(failure.requestId);
    expect(lines.filter((line) => line.msg === 'request')).toHaveLength(3);
  });

  it('logs health and readiness probes below info', async () => {
    log.clear();
    const base = server.url.replace(/\/graphql$/, '');
    for (const path of ['/healthz', '/readyz']) expect((await fetch(`${base}${path}`)).status).toBe(200);
    const probes = log.lines().filter((line) => line.msg === 'request');
    expect(probes.map((line) => [line.path, line.level])).toEqual([
      ['/healthz', 20],
      ['/readyz', 20],
    ]);
  });
});
