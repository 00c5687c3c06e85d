import type { GraphQLFormattedError } from 'graphql';
import { Role } from '../../src/auth/roles';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type SignedIn, type TestServer } from '../helpers/test-server';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: GraphQLFormattedError[];
    readonly extensions?: { readonly authorization?: unknown };
  };
}

/** What each error says, in the order given: its path, code and `requires`. */
const summary = (errors: readonly GraphQLFormattedError[] | undefined) =>
  (errors ?? []).map((error) => ({
    path: error.path,
    code: error.extensions?.code,
    requires: error.extensions?.requires,
  }));

const ME_WITH_DISABLED = '{ me { id email disabled } }';
const THREE_DENIED_FOR_A_USER = `{
  me { id disabled }
  auditEvents(first: 1) { edges { node { id } } }
  everyone: users(first: 1) { edges { node { id } } }
}`;

describeEachDatabase('whole-operation authorization', (dialect) => {
  let server: TestServer;
  let user: SignedIn;
  let admin: SignedIn;

  const ask = async (
    query: string,
    options: { token?: string; authorization?: unknown; variables?: object; accept?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.accept) headers.accept = options.accept;
    const body: Record<string, unknown> = { query, variables: options.variables ?? {} };
    if ('authorization' in options) body.extensions = { authorization: options.authorization };
    const res = await server.post(body, headers);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
  };
  /** Whether `token` still works: a logout that ran would have ended its session. */
  const tokenWorks = async (token: string) => (await ask('{ me { id } }', { token })).status === 200;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    user = await server.signIn('reader@example.test', [Role.USER]);
    admin = await server.signIn('admin@example.test', [Role.ADMIN]);
  });
  afterAll(() => server.close());

  describe('reject mode', () => {
    it('answers the same document partially by default, and with no data and one error per denied path on request', async () => {
      const partial = await ask(ME_WITH_DISABLED, { token: user.accessToken });
      expect(partial.status).toBe(200);
      expect(partial.body.data).toEqual({ me: { id: user.id, email: 'reader@example.test', disabled: null } });
      expect(summary(partial.body.errors)).toEqual([
        { path: ['me', 'disabled'], code: 'FORBIDDEN', requires: ['ADMIN'] },
      ]);

      const rejected = await ask(ME_WITH_DISABLED, { token: user.accessToken, authorization: 'reject' });
      expect(rejected.status).toBe(403);
      expect(rejected.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
      expect(rejected.body).not.toHaveProperty('data');
      expect(rejected.body.errors).toEqual([
        {
          // The same message and extensions as the runtime check's error at that path.
          message: partial.body.errors![0]!.message,
          locations: partial.body.errors![0]!.locations,
          path: ['me', 'disabled'],
          extensions: { code: 'FORBIDDEN', requires: ['ADMIN'] },
        },
      ]);
    });

    it('lists every denied path once, by response key, and nothing below a denied field', async () => {
      const rejected = await ask(THREE_DENIED_FOR_A_USER, { token: user.accessToken, authorization: 'reject' });
      expect(rejected.status).toBe(403);
      expect(summary(rejected.body.errors)).toEqual([
        { path: ['me', 'disabled'], code: 'FORBIDDEN', requires: ['ADMIN'] },
        { path: ['auditEvents'], code: 'FORBIDDEN', requires: ['ADMIN'] },
        { path: ['everyone'], code: 'FORBIDDEN', requires: ['ADMIN'] },
      ]);
    });

    it('answers an anonymous caller UNAUTHENTICATED with 401 and a bare Bearer challenge', async () => {
      const rejected = await ask('{ me { id } mySessions { id } }', { authorization: 'reject' });
      expect(rejected.status).toBe(401);
      expect(rejected.headers.get('www-authenticate')).toBe('Bearer');
      expect(summary(rejected.body.errors)).toEqual([
        { path: ['mySessions'], code: 'UNAUTHENTICATED', requires: ['SIGNED_IN'] },
      ]);
    });

    it('keeps its status under application/graphql-response+json', async () => {
      const rejected = await ask(ME_WITH_DISABLED, {
        token: user.accessToken,
        authorization: 'reject',
        accept: 'application/graphql-response+json',
      });
      expect(rejected.status).toBe(403);
      expect(rejected.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    });

    it('runs an operation with nothing denied as usual', async () => {
      const allowed = await ask('{ me { id email roles } }', { token: user.accessToken, authorization: 'reject' });
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual({ data: { me: { id: user.id, email: 'reader@example.test', roles: ['USER'] } } });
      const asAdmin = await ask(THREE_DENIED_FOR_A_USER, { token: admin.accessToken, authorization: 'reject' });
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body.errors).toBeUndefined();
    });

    it('decides @skip and @include with the request’s variables', async () => {
      const query = 'query($full: Boolean!) { me { id disabled @include(if: $full) } }';
      const without = await ask(query, {
        token: user.accessToken,
        authorization: 'reject',
        variables: { full: false },
      });
      expect(without.status).toBe(200);
      expect(without.body.data).toEqual({ me: { id: user.id } });
      const withIt = await ask(query, { token: user.accessToken, authorization: 'reject', variables: { full: true } });
      expect(withIt.status).toBe(403);
      expect(summary(withIt.body.errors)).toEqual([
        { path: ['me', 'disabled'], code: 'FORBIDDEN', requires: ['ADMIN'] },
      ]);
    });

    it('lets an owner-dependent field run, where the runtime check still guards it', async () => {
      // User.email is [SELF, ADMIN]: the walk cannot know whose user `user(id:)` returns.
      const ownerOnly = 'query($id: ID!) { user(id: $id) { id email } }';
      const own = await ask(ownerOnly, {
        token: user.accessToken,
        authorization: 'reject',
        variables: { id: user.id },
      });
      expect(own.status).toBe(200);
      expect(own.body.data).toEqual({ user: { id: user.id, email: 'reader@example.test' } });
      const other = await ask(ownerOnly, {
        token: user.accessToken,
        authorization: 'reject',
        variables: { id: admin.id },
      });
      expect(other.status).toBe(200);
      expect(other.body.data).toEqual({ user: { id: admin.id, email: null } });
      expect(summary(other.body.errors)).toEqual([
        { path: ['user', 'email'], code: 'FORBIDDEN', requires: ['SELF', 'ADMIN'] },
      ]);
    });

    it('lets an anonymous login read its own user’s owner fields: the answer is issued to its caller', async () => {
      const login = `mutation($email: String!, $password: String!) {
        login(email: $email, password: $password) { accessToken user { id email roles } }
      }`;
      const answer = await ask(login, {
        authorization: 'reject',
        variables: { email: 'reader@example.test', password: TEST_PASSWORD },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toMatchObject({
        login: { user: { id: user.id, email: 'reader@example.test', roles: ['USER'] } },
      });
    });

    it('runs no resolver of a rejected mutation: the allowed logout before the denied field does not happen', async () => {
      const victim = await server.signIn('mutation-reject@example.test', [Role.USER]);
      const mutation = `mutation($id: ID!) { logout setUserDisabled(userId: $id, disabled: true) { id } }`;
      const auditBefore = await server.countRows('audit_events');

      const rejected = await ask(mutation, {
        token: victim.accessToken,
        authorization: 'reject',
        variables: { id: victim.id },
      });
      expect(rejected.status).toBe(403);
      expect(summary(rejected.body.errors)).toEqual([
        { path: ['setUserDisabled'], code: 'FORBIDDEN', requires: ['ADMIN'] },
      ]);
      expect(await tokenWorks(victim.accessToken)).toBe(true);
      expect(await server.countRows('audit_events')).toBe(auditBefore);

      // The same document, partially: logout runs first, then setUserDisabled is refused.
      const partial = await ask(mutation, { token: victim.accessToken, variables: { id: victim.id } });
      expect(summary(partial.body.errors)).toEqual([
        { path: ['setUserDisabled'], code: 'FORBIDDEN', requires: ['ADMIN'] },
      ]);
      expect(await tokenWorks(victim.accessToken)).toBe(false);
    });
  });

  describe('the cached walk', () => {
    it('answers each role set its own verdict when they ask for one document at once', async () => {
      const callers = [undefined, user.accessToken, admin.accessToken];
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          ask(THREE_DENIED_FOR_A_USER, { token: callers[i % 3], authorization: 'reject' }),
        ),
      );
      answers.forEach((answer, i) => {
        const expected = [401, 403, 200][i % 3];
        expect([i, answer.status]).toEqual([i, expected]);
      });
      expect(answers[0]!.body.errors!.map((error) => error.extensions?.code)).toEqual([
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      ]);
      expect(answers[1]!.body.errors).toHaveLength(3);
      expect(answers[2]!.body.errors).toBeUndefined();
    });

    it('is asked over GET as over POST', async () => {
      const params = new URLSearchParams({
        query: ME_WITH_DISABLED,
        extensions: JSON.stringify({ authorization: 'reject' }),
      });
      const res = await fetch(`${server.url}?${params}`, {
        headers: { authorization: `Bearer ${user.accessToken}`, 'apollo-require-preflight': 'true' },
      });
      expect(res.status).toBe(403);
      const body = (await res.json()) as Answer['body'];
      expect(summary(body.errors)).toEqual([{ path: ['me', 'disabled'], code: 'FORBIDDEN', requires: ['ADMIN'] }]);
    });
  });

  describe('dry run', () => {
    const QUERY = '{ me { id email disabled } users(first: 1) { edges { node { email } } } }';

    it('answers each viewer which paths would be denied and which depend on the owner, without executing', async () => {
      const expected = {
        anonymous: {
          allowed: false,
          denied: [
            { path: ['me', 'disabled'], code: 'UNAUTHENTICATED', requires: ['ADMIN'] },
            { path: ['users'], code: 'UNAUTHENTICATED', requires: ['ADMIN'] },
          ],
          dependsOnOwner: [{ path: ['me', 'email'], requires: ['SELF', 'ADMIN'] }],
        },
        user: {
          allowed: false,
          denied: [
            { path: ['me', 'disabled'], code: 'FORBIDDEN', requires: ['ADMIN'] },
            { path: ['users'], code: 'FORBIDDEN', requires: ['ADMIN'] },
          ],
          dependsOnOwner: [{ path: ['me', 'email'], requires: ['SELF', 'ADMIN'] }],
        },
        admin: { allowed: true, denied: [], dependsOnOwner: [] },
      };
      for (const [viewer, token] of [
        ['anonymous', undefined],
        ['user', user.accessToken],
        ['admin', admin.accessToken],
      ] as const) {
        const answer = await ask(QUERY, { token, authorization: 'dryRun' });
        expect([viewer, answer.status]).toEqual([viewer, 200]);
        expect([viewer, answer.body]).toEqual([
          viewer,
          { data: null, extensions: { authorization: expected[viewer] } },
        ]);
      }
    });

    it('never executes a mutation, allowed or not', async () => {
      const asker = await server.signIn('dry-run@example.test', [Role.USER]);
      const auditBefore = await server.countRows('audit_events');
      const answer = await ask('mutation { logout }', { token: asker.accessToken, authorization: 'dryRun' });
      expect(answer.body).toEqual({
        data: null,
        extensions: { authorization: { allowed: true, denied: [], dependsOnOwner: [] } },
      });
      expect(await tokenWorks(asker.accessToken)).toBe(true);
      expect(await server.countRows('audit_events')).toBe(auditBefore);
    });

    it('inspects only documents the server would run: the document limits and the cost rule apply first', async () => {
      const aliased = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
      const overAliases = await ask(aliased, { token: user.accessToken, authorization: 'dryRun' });
      expect(overAliases.status).toBe(400);
      expect(overAliases.body.errors![0]!.extensions).toMatchObject({
        code: 'GRAPHQL_VALIDATION_FAILED',
        limit: 'maxAliases',
      });
      expect(overAliases.body.extensions).toBeUndefined();

      const page = 'users(first: 100) { edges { node { id displayName createdAt email roles lastLoginAt disabled } } }';
      const costly = `{ ${Array.from({ length: 8 }, (_, i) => `p${i}: ${page}`).join(' ')} }`;
      const overCost = await ask(costly, { token: admin.accessToken, authorization: 'dryRun' });
      expect(overCost.status).toBe(400);
      expect(overCost.body.errors![0]!.extensions).toMatchObject({
        code: 'GRAPHQL_VALIDATION_FAILED',
        limit: 'maxCost',
      });
    });

    it('answers who may run it, not whether its arguments are good: other variables are execution’s to check', async () => {
      const answer = await ask('query($id: ID!) { user(id: $id) { id } }', {
        token: user.accessToken,
        authorization: 'dryRun',
      });
      expect(answer.body).toEqual({
        data: null,
        extensions: { authorization: { allowed: true, denied: [], dependsOnOwner: [] } },
      });
    });

    it('refuses variables that do not coerce as execution would, and runs nothing', async () => {
      const answer = await ask('query($full: Boolean!) { me { id @include(if: $full) } }', {
        token: user.accessToken,
        authorization: 'dryRun',
        variables: { full: 'yes' },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(answer.body).not.toHaveProperty('data');
    });

    it('refuses a directive condition given null, as execution would, and runs nothing', async () => {
      const answer = await ask('query($full: Boolean = true) { me { id @include(if: $full) } }', {
        token: user.accessToken,
        authorization: 'dryRun',
        variables: { full: null },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('"if"') }),
      ]);
    });
  });

  describe('the requested mode', () => {
    it.each([['strict'], ['REJECT'], [''], [null], [42], [true], [{ mode: 'reject' }], [['reject']]])(
      'refuses %j with BAD_REQUEST and runs nothing',
      async (value) => {
        const asker = await server.signIn(`mode-${JSON.stringify(value).replace(/\W/g, '_')}@example.test`, [
          Role.USER,
        ]);
        const answer = await ask('mutation { logout }', { token: asker.accessToken, authorization: value });
        expect(answer.status).toBe(400);
        expect(answer.body.errors).toEqual([
          {
            message: 'extensions.authorization must be one of "partial", "reject", "dryRun".',
            extensions: { code: 'BAD_REQUEST' },
          },
        ]);
        expect(await tokenWorks(asker.accessToken)).toBe(true);
      },
    );

    it('accepts "partial" explicitly, which is the default', async () => {
      const answer = await ask(ME_WITH_DISABLED, { token: user.accessToken, authorization: 'partial' });
      expect(answer.status).toBe(200);
      expect(summary(answer.body.errors)).toEqual([
        { path: ['me', 'disabled'], code: 'FORBIDDEN', requires: ['ADMIN'] },
      ]);
    });
  });

  describe('with AUTHORIZATION_MODE=reject', () => {
    let strict: TestServer;
    let reader: SignedIn;
    beforeAll(async () => {
      strict = await startTestServer(dialect, { env: { AUTHORIZATION_MODE: 'reject' } });
      reader = await strict.signIn('strict-reader@example.test', [Role.USER]);
    });
    afterAll(() => strict.close());

    const askStrict = async (body: object) => {
      const res = await strict.post(body, { authorization: `Bearer ${reader.accessToken}` });
      return { status: res.status, body: (await res.json()) as Answer['body'] };
    };

    it('rejects a request that does not say, and lets one asking for "partial" have partial results', async () => {
      const byDefault = await askStrict({ query: ME_WITH_DISABLED });
      expect(byDefault.status).toBe(403);
      expect(summary(byDefault.body.errors)).toEqual([
        { path: ['me', 'disabled'], code: 'FORBIDDEN', requires: ['ADMIN'] },
      ]);

      const partial = await askStrict({ query: ME_WITH_DISABLED, extensions: { authorization: 'partial' } });
      expect(partial.status).toBe(200);
      expect(partial.body.data).toEqual({ me: { id: reader.id, email: 'strict-reader@example.test', disabled: null } });
    });

    it('still answers a dry run on request', async () => {
      const dry = await askStrict({ query: '{ me { id } }', extensions: { authorization: 'dryRun' } });
      expect(dry.body).toEqual({
        data: null,
        extensions: { authorization: { allowed: true, denied: [], dependsOnOwner: [] } },
      });
    });
  });

  describe('step-up (@recentAuth): decided for this token at this instant, before anything runs', () => {
    let clocked: TestServer;
    beforeAll(async () => {
      clocked = await startTestServer(dialect);
    });
    afterAll(() => clocked.close());

    /** A user signed in on a whole second, so that the token's auth_time (seconds) is exactly now. */
    const freshUser = async (email: string) => {
      clocked.clock.advance((1000 - (clocked.clock.now() % 1000)) / 1000);
      return clocked.signIn(email, [Role.USER]);
    };
    const askClocked = async (query: string, token: string, authorization: string, variables: object = {}) => {
      const res = await clocked.post(
        { query, variables, extensions: { authorization } },
        { authorization: `Bearer ${token}` },
      );
      return { status: res.status, body: (await res.json()) as Answer['body'] };
    };
    const CREATE_THEN_CHANGE_PASSWORD = `mutation($new: String!) {
      created: createArticle(input: { title: "ran despite the step-up", body: "b" }) { id }
      changed: changePassword(currentPassword: "${TEST_PASSWORD}", newPassword: $new)
    }`;
    const NEW_PASSWORD = 'a different horse battery staple';
    const titlesOf = async (token: string) => {
      const res = await askClocked('{ articles(first: 50) { edges { node { title } } } }', token, 'partial');
      const { edges } = res.body.data!.articles as { edges: Array<{ node: { title: string } }> };
      return edges.map((edge) => edge.node.title);
    };
    const passwordStill = async (email: string, password: string) => {
      const res = await clocked.post({
        query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        variables: { e: email, p: password },
      });
      const body = (await res.json()) as Answer['body'];
      return body.errors === undefined;
    };

    it('dry run: allowed with an authentication exactly 10 minutes old, and the step-up path reported a millisecond later', async () => {
      const writer = await freshUser('step-up-dry@example.test');
      clocked.clock.advance(600);
      const atEdge = await askClocked(CREATE_THEN_CHANGE_PASSWORD, writer.accessToken, 'dryRun', { new: NEW_PASSWORD });
      expect(atEdge.body.extensions?.authorization).toEqual({ allowed: true, denied: [], dependsOnOwner: [] });

      clocked.clock.advance(0.001);
      const past = await askClocked(CREATE_THEN_CHANGE_PASSWORD, writer.accessToken, 'dryRun', { new: NEW_PASSWORD });
      expect(past.status).toBe(200);
      expect(past.body.extensions?.authorization).toEqual({
        allowed: false,
        // The extensions of the runtime's error at that path.
        denied: [{ path: ['changed'], code: 'FORBIDDEN', reason: 'STEP_UP_REQUIRED', maxAge: 600, factors: 2 }],
        dependsOnOwner: [],
      });
      expect(await titlesOf(writer.accessToken)).toEqual([]);
      expect(await passwordStill('step-up-dry@example.test', TEST_PASSWORD)).toBe(true);
    });

    it('reject: a stale token runs nothing, not even the fields it may run, and gets the runtime’s step-up error', async () => {
      const writer = await freshUser('step-up-reject@example.test');
      clocked.clock.advance(601);
      const partial = await askClocked(
        'mutation { changePassword(currentPassword: "x", newPassword: "y") }',
        writer.accessToken,
        'partial',
      );
      const rejected = await askClocked(CREATE_THEN_CHANGE_PASSWORD, writer.accessToken, 'reject', {
        new: NEW_PASSWORD,
      });
      expect(rejected.status).toBe(403);
      expect(rejected.body).not.toHaveProperty('data');
      expect(rejected.body.errors).toEqual([
        {
          message: partial.body.errors![0]!.message,
          locations: [{ line: 3, column: 7 }],
          path: ['changed'],
          extensions: { code: 'FORBIDDEN', reason: 'STEP_UP_REQUIRED', maxAge: 600, factors: 2 },
        },
      ]);
      expect(partial.body.errors![0]!.extensions).toEqual(rejected.body.errors![0]!.extensions);
      expect(await titlesOf(writer.accessToken)).toEqual([]);
      expect(await passwordStill('step-up-reject@example.test', TEST_PASSWORD)).toBe(true);
    });

    it('reject: a fresh token runs the whole operation, from the same cached walk', async () => {
      const writer = await freshUser('step-up-fresh@example.test');
      const ran = await askClocked(CREATE_THEN_CHANGE_PASSWORD, writer.accessToken, 'reject', { new: NEW_PASSWORD });
      expect(ran.status).toBe(200);
      expect(ran.body.errors).toBeUndefined();
      expect(ran.body.data).toEqual({ created: { id: expect.any(String) }, changed: true });
      expect(await titlesOf(writer.accessToken)).toEqual(['ran despite the step-up']);
      expect(await passwordStill('step-up-fresh@example.test', NEW_PASSWORD)).toBe(true);
    });
  });
});
