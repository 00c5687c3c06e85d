import { SUBSCRIPTIONS_OVER_HTTP_MESSAGE } from '../../src/graphql/input-values';
import { LoginDocument, SignUpDocument } from '../generated/graphql';
import { capturingLogger } from '../helpers/capturing-logger';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

// A long run of combining marks out of canonical order: String.prototype.normalize is
// quadratic on it. 90 KB of it as a password held the event loop for 2 s.
const SLOW_TO_NORMALIZE = 'a' + '\u0301'.repeat(22_500) + '\u0316'.repeat(22_500);

describeEachDatabase('input that is costly or unstorable', (dialect) => {
  let server: TestServer;
  const { logger, lines } = capturingLogger('warn');
  beforeAll(async () => {
    server = await startTestServer(dialect, { logger });
    await server.createUser('known@example.com');
  });
  afterAll(() => server.close());
  afterEach(() => {
    // None of this is our failure: nothing may be logged as one.
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    lines.length = 0;
  });

  /** How long a trivial request waits while `hostile` requests are answered. */
  const stallDuring = async (hostile: Array<() => Promise<unknown>>) => {
    const started = hostile.map((send) => send());
    await new Promise((resolve) => setImmediate(resolve));
    const before = performance.now();
    await server.post({ query: '{ __typename }' });
    const waited = performance.now() - before;
    return { waited, answers: await Promise.all(started) };
  };

  it('refuses over-long passwords, emails and names without normalizing them, stalling nobody', async () => {
    const { waited, answers } = await stallDuring([
      () => server.execute(LoginDocument, { email: 'known@example.com', password: SLOW_TO_NORMALIZE }),
      () => server.execute(LoginDocument, { email: SLOW_TO_NORMALIZE, password: TEST_PASSWORD }),
      () =>
        server.execute(SignUpDocument, {
          input: { email: 'new@example.com', password: TEST_PASSWORD, displayName: SLOW_TO_NORMALIZE },
        }),
    ]);
    // Seconds before the bound; a generous margin for a busy machine.
    expect(waited).toBeLessThan(500);
    const [longPassword, longEmail, longName] = answers as Array<{ errors?: Array<{ extensions?: object }> }>;
    expect(longPassword!.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(longEmail!.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    expect(longName!.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'displayName' });
    expect(await server.countUsers()).toBe(1);
  });

  it('still counts decomposed and astral characters after normalizing (128 of them fit)', async () => {
    const decomposed = 'e\u0301'.repeat(128); // 128 × é once composed
    const res = await server.execute(SignUpDocument, {
      input: { email: 'accents@example.com', password: decomposed, displayName: 'Accents' },
    });
    expect(res.errors).toBeUndefined();
    const login = await server.execute(LoginDocument, { email: 'accents@example.com', password: 'é'.repeat(128) });
    expect(login.errors).toBeUndefined();
  });

  it('refuses NUL characters in variables and in the document before anything runs', async () => {
    const users = await server.countUsers();
    const inVariables = await server.post({
      query: 'mutation ($e: String!) { login(email: $e, password: "whatever1") { accessToken } }',
      variables: { e: 'known@example.com\u0000' },
    });
    expect(inVariables.status).toBe(400);
    expect(await inVariables.json()).toEqual({
      errors: [
        { message: 'Strings may not contain the NUL character (U+0000).', extensions: { code: 'BAD_USER_INPUT' } },
      ],
    });
    const nested = await server.post({
      query: 'mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      variables: { i: { email: 'x@example.com', password: TEST_PASSWORD, displayName: 'a\u0000b' } },
    });
    expect(nested.status).toBe(400);
    for (const query of [
      '{ user(id: "\\u0000") { id } }',
      'mutation { login(email: "known@example.com\\u0000", password: "whatever1") { accessToken } }',
    ]) {
      const inDocument = await server.post({ query });
      expect(inDocument.status).toBe(400);
      const body = (await inDocument.json()) as { errors: Array<{ message: string; extensions: object }> };
      expect(body.errors[0]).toMatchObject({
        message: 'Strings may not contain the NUL character (U+0000).',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
    }
    expect(await server.countUsers()).toBe(users);
  });

  it('answers too many bad variable values as the client’s error, not ours', async () => {
    const res = await server.post({
      query: 'mutation ($r: [Role!]!) { setUserRoles(userId: "x", roles: $r) { id } }',
      variables: { r: Array.from({ length: 60 }, () => 'NOT_A_ROLE') },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(new Set(body.errors.map((error) => error.extensions.code))).toEqual(new Set(['BAD_USER_INPUT']));
  });

  it('refuses variables of thousands of values before graphql-js coerces (and prints) them', async () => {
    const huge = Object.fromEntries(Array.from({ length: 10_292 }, (_, i) => [`k${i}`, 0]));
    const res = await server.post({
      query: 'mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      variables: { i: huge },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(1000);
    expect(JSON.parse(text).errors[0]).toMatchObject({
      message: 'Variables may hold at most 1000 values (maxVariableValues).',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('answers persisted queries and subscriptions as unsupported, not as our failure', async () => {
    const persisted = await server.post({
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } },
    });
    const body = (await persisted.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    // A valid subscription (`subscription { __typename }` is invalid: no introspection at a subscription's root).
    const subscription = await server.post({ query: 'subscription { articlePublished { id } }' });
    expect(subscription.status).toBe(400);
    expect(await subscription.json()).toMatchObject({
      errors: [{ message: SUBSCRIPTIONS_OVER_HTTP_MESSAGE, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
  });
});
