import type * as GraphQLRequest from 'graphql-request' with { 'resolution-mode': 'import' };
import { print } from 'graphql';
import { refusedFromMs } from '../../src/auth/tokens';
import { LoginDocument, MeDocument, RefreshDocument } from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

/*
 * graphql-request, a client that is not Apollo's, runs the flow a frontend runs: log in, ask who
 * it is, refresh when the access token expires. It asks for
 * `application/graphql-response+json, application/json`, so it gets the GraphQL-over-HTTP
 * status codes, and it reads GraphQL errors from non-2xx answers as ClientError.
 */

// graphql-request 7 is an ES module with a CommonJS build (its "require" export), but types
// only for the former; jest runs this file as CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ClientError, GraphQLClient } = require('graphql-request') as typeof GraphQLRequest;
type GraphQLClient = GraphQLRequest.GraphQLClient;
type ClientError = GraphQLRequest.ClientError;

const EMAIL = 'request@example.com';

/** The code and reason of the first GraphQL error a ClientError carries, and the HTTP status. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ClientError);
  const { response } = error as ClientError;
  return { status: response.status, extensions: response.errors?.[0]?.extensions, data: response.data };
}

function expOf(accessToken: string): number {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
  return payload.exp;
}

describeEachDatabase('graphql-request as a client', (dialect) => {
  let server: TestServer;
  /** Sends no Authorization header: login and refresh, like a client that has no token yet. */
  let anonymous: GraphQLClient;
  const bearer = (accessToken: string) =>
    new GraphQLClient(server.url, { headers: { authorization: `Bearer ${accessToken}` } });

  beforeAll(async () => {
    server = await startTestServer(dialect);
    await server.createUser(EMAIL);
    anonymous = new GraphQLClient(server.url);
  });
  afterAll(() => server.close());

  it('logs in, reads me, refreshes without an Authorization header, and reads me with the new token', async () => {
    const { login } = await anonymous.request(LoginDocument, { email: EMAIL, password: TEST_PASSWORD });
    expect(login.user.email).toBe(EMAIL);

    const { me } = await bearer(login.accessToken).request(MeDocument);
    expect(me).toEqual(expect.objectContaining({ id: login.user.id, email: EMAIL, roles: ['USER'] }));

    const { refresh } = await anonymous.request(RefreshDocument, { refreshToken: login.refreshToken! });
    expect(refresh.accessToken).not.toBe(login.accessToken);
    expect(refresh.refreshToken).not.toBe(login.refreshToken);
    expect((await bearer(refresh.accessToken).request(MeDocument)).me?.id).toBe(login.user.id);
  });

  it('sees an expired access token as a 401 with TOKEN_EXPIRED at the edge, and recovers with refresh', async () => {
    const { login } = await anonymous.request(LoginDocument, { email: EMAIL, password: TEST_PASSWORD });
    const client = bearer(login.accessToken);
    const refusedFrom = refusedFromMs(expOf(login.accessToken));

    server.clock.advance((refusedFrom - 1 - server.clock.now()) / 1000);
    expect((await client.request(MeDocument)).me?.email).toBe(EMAIL);

    server.clock.advance(0.001);
    const expired = await refusal(client.request(MeDocument));
    expect(expired.status).toBe(401);
    expect(expired.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });

    // With the expired token still attached, refresh is refused too: the client must drop it.
    const withStaleHeader = await refusal(client.request(RefreshDocument, { refreshToken: login.refreshToken! }));
    expect(withStaleHeader.status).toBe(401);

    const { refresh } = await anonymous.request(RefreshDocument, { refreshToken: login.refreshToken! });
    expect((await bearer(refresh.accessToken).request(MeDocument)).me?.email).toBe(EMAIL);
  });

  it('gets a failed login as a ClientError carrying the GraphQL error, with the partial-success status', async () => {
    const failed = await refusal(anonymous.request(LoginDocument, { email: EMAIL, password: 'not the password' }));
    expect(failed.status).toBe(294);
    expect(failed.data).toBeNull();
    expect(failed.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
  });

  it('reads partial data with errorPolicy "all", without throwing', async () => {
    const { login } = await anonymous.request(LoginDocument, { email: EMAIL, password: TEST_PASSWORD });
    const client = new GraphQLClient(server.url, {
      headers: { authorization: `Bearer ${login.accessToken}` },
      errorPolicy: 'all',
    });
    const res = await client.rawRequest<{ user: { id: string; disabled: boolean | null } }>(
      'query ($id: ID!) { user(id: $id) { id disabled } }',
      { id: login.user.id },
    );
    expect(res.status).toBe(294);
    expect(res.data.user).toEqual({ id: login.user.id, disabled: null });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('sends queries over GET when it adds a preflight-forcing header, and is refused without one', async () => {
    const { login } = await anonymous.request(LoginDocument, { email: EMAIL, password: TEST_PASSWORD });
    const headers = { authorization: `Bearer ${login.accessToken}` };
    const preflighted = new GraphQLClient(server.url, {
      method: 'GET',
      headers: { ...headers, 'apollo-require-preflight': 'true' },
    });
    expect((await preflighted.request(MeDocument)).me?.email).toBe(EMAIL);

    const simple = new GraphQLClient(server.url, { method: 'GET', headers });
    const refused = await refusal(simple.request(MeDocument));
    expect(refused.status).toBe(400);
    expect(refused.extensions).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('uses cookie mode when it carries the cookie itself (no cookie jar in Node)', async () => {
    const login = await anonymous.rawRequest<{ login: { accessToken: string; refreshToken: string | null } }>(
      print(LoginDocument),
      { email: EMAIL, password: TEST_PASSWORD, useCookie: true },
    );
    expect(login.data.login.refreshToken).toBeNull();
    const cookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-tollgate-refresh='))!
      .split(';')[0]!;

    const refreshed = await anonymous.rawRequest<{ refresh: { accessToken: string; refreshToken: string | null } }>(
      print(RefreshDocument),
      { useCookie: true },
      { cookie },
    );
    expect(refreshed.data.refresh.refreshToken).toBeNull();
    const rotated = refreshed.headers.getSetCookie().find((c) => c.startsWith('__Host-tollgate-refresh='))!;
    expect(rotated.split(';')[0]).not.toBe(cookie);
    expect((await bearer(refreshed.data.refresh.accessToken).request(MeDocument)).me?.email).toBe(EMAIL);
  });
});
