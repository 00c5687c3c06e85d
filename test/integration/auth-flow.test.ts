import argon2 from 'argon2';
import { Role } from '../../src/auth/roles';
import {
  LoginDocument,
  MeDocument,
  SignUpDocument,
  UserProfileDocument,
  UsersDocument,
  type UsersQuery,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

describeEachDatabase('sign up, log in, and read with field-level policies', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  const signUp = (email: string, password = TEST_PASSWORD, displayName = 'Ann') =>
    server.execute(SignUpDocument, { input: { email, password, displayName } });
  const login = (email: string, password = TEST_PASSWORD) => server.execute(LoginDocument, { email, password });

  describe('signUp', () => {
    it('creates a USER, returns a bearer token, and lets the caller read their own private fields', async () => {
      const res = await signUp('  Ann@Example.COM ');
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      const payload = res.data!.signUp;
      expect(payload.tokenType).toBe('Bearer');
      expect(payload.expiresIn).toBe(15 * 60);
      expect(payload.accessToken.split('.')).toHaveLength(3);
      expect(payload.user).toMatchObject({
        email: 'ann@example.com',
        roles: ['USER'],
        displayName: 'Ann',
        lastLoginAt: null,
      });
      expect(new Date(payload.user.createdAt).getTime()).not.toBeNaN();
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('refuses an email that differs only in case or Unicode form, and writes nothing', async () => {
      await signUp('bob@example.com');
      const before = await server.countUsers();
      // "ｂｏｂ" is full-width: NFKC folds it to "bob".
      for (const email of ['BOB@example.com', 'ｂｏｂ@example.com', ' bob@EXAMPLE.com']) {
        const res = await signUp(email);
        expect(res.data).toBeNull();
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
        expect(res.errors?.[0]?.message).toBe('This email address cannot be used.');
      }
      expect(await server.countUsers()).toBe(before);
    });

    it('only ever creates USERs', async () => {
      const res = await signUp('carol@example.com');
      expect(res.data!.signUp.user.roles).toEqual(['USER']);
    });
  });

  describe('login', () => {
    it('returns a token and the caller in full, and records the login time', async () => {
      await signUp('dave@example.com');
      server.clock.advance(60);
      const res = await login('DAVE@example.com');
      expect(res.errors).toBeUndefined();
      const { user, accessToken } = res.data!.login;
      expect(user).toMatchObject({ email: 'dave@example.com', roles: ['USER'] });
      expect(new Date(user.lastLoginAt!).getTime()).toBe(server.clock.now());
      expect(res.headers.get('cache-control')).toBe('no-store');

      const me = await server.execute(MeDocument, {}, { token: accessToken });
      expect(me.data!.me).toMatchObject({ id: user.id, email: 'dave@example.com', roles: ['USER'] });
    });

    it('answers an unknown email, a wrong password and a disabled account identically', async () => {
      await signUp('erin@example.com');
      const disabled = await server.createUser('frank@example.com');
      await server.app.services.database.db
        .updateTable('users')
        .set({ disabled: 1 })
        .where('id', '=', disabled.id)
        .execute();

      const answers = await Promise.all([
        login('nobody@example.com'),
        login('erin@example.com', 'wrong password!'),
        login('frank@example.com'),
      ]);
      for (const res of answers) {
        expect(res.status).toBe(200);
        expect(res.data).toBeNull();
        expect(res.errors).toEqual([
          {
            message: 'Invalid email or password.',
            locations: expect.any(Array),
            path: ['login'],
            extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' },
          },
        ]);
      }
    });
  });

  it('upgrades a hash made with older argon2 parameters at the next successful login', async () => {
    const user = await server.createUser('legacy@example.com');
    const weak = await argon2.hash(TEST_PASSWORD, {
      type: argon2.argon2id,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    const { db } = server.app.services.database;
    await db.updateTable('users').set({ password_hash: weak }).where('id', '=', user.id).execute();
    const hashOf = async () =>
      (await db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow())
        .password_hash;

    expect((await login('legacy@example.com', 'not the password')).errors).toBeDefined();
    expect(await hashOf()).toBe(weak);

    expect((await login('legacy@example.com')).errors).toBeUndefined();
    const upgraded = await hashOf();
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect((await login('legacy@example.com')).errors).toBeUndefined();
  });

  describe('me', () => {
    it('is null for an anonymous request, without an error', async () => {
      const res = await server.execute(MeDocument);
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ me: null });
    });
  });

  describe('field-level policies on User', () => {
    let alice: { id: string; token: string };
    let bob: { id: string; token: string };
    let admin: { id: string; token: string };
    let editor: { id: string; token: string };

    beforeAll(async () => {
      const signIn = async (email: string, roles?: Role[]) => {
        const user = await server.createUser(email, roles);
        const res = await login(email);
        return { id: user.id, token: res.data!.login.accessToken };
      };
      alice = await signIn('alice@example.com');
      bob = await signIn('bob.policies@example.com');
      admin = await signIn('admin@example.com', [Role.ADMIN]);
      editor = await signIn('editor@example.com', [Role.EDITOR]);
    });

    it('refuses `user` to an anonymous caller: UNAUTHENTICATED, resolver not run', async () => {
      const res = await server.execute(UserProfileDocument, { id: alice.id });
      expect(res.data).toEqual({ user: null });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({
        path: ['user'],
        extensions: { code: 'UNAUTHENTICATED', requires: ['SIGNED_IN'] },
      });
    });

    it('gives another USER the public fields and null with FORBIDDEN at each private path', async () => {
      const res = await server.execute(UserProfileDocument, { id: alice.id }, { token: bob.token });
      expect(res.data!.user).toEqual({
        id: alice.id,
        displayName: 'alice',
        createdAt: expect.any(String),
        email: null,
        roles: null,
        lastLoginAt: null,
        disabled: null,
      });
      const byPath = Object.fromEntries(res.errors!.map((e) => [e.path!.join('.'), e.extensions]));
      expect(byPath).toEqual({
        'user.email': { code: 'FORBIDDEN', requires: ['SELF', 'ADMIN'] },
        'user.roles': { code: 'FORBIDDEN', requires: ['SELF', 'ADMIN'] },
        'user.lastLoginAt': { code: 'FORBIDDEN', requires: ['SELF', 'ADMIN'] },
        'user.disabled': { code: 'FORBIDDEN', requires: ['ADMIN'] },
      });
    });

    it('lets the user themself read their own fields, except the ADMIN-only one', async () => {
      const res = await server.execute(UserProfileDocument, { id: alice.id }, { token: alice.token });
      expect(res.data!.user).toMatchObject({ email: 'alice@example.com', roles: ['USER'], disabled: null });
      expect(res.data!.user!.lastLoginAt).not.toBeNull();
      expect(res.errors!.map((e) => [e.path!.join('.'), e.extensions!.code])).toEqual([['user.disabled', 'FORBIDDEN']]);
    });

    it('does not let EDITOR reach ADMIN fields', async () => {
      const res = await server.execute(UserProfileDocument, { id: alice.id }, { token: editor.token });
      expect(res.data!.user!.email).toBeNull();
      expect(res.errors!.every((e) => e.extensions!.code === 'FORBIDDEN')).toBe(true);
    });

    it('lets an ADMIN read everything', async () => {
      const res = await server.execute(UserProfileDocument, { id: alice.id }, { token: admin.token });
      expect(res.errors).toBeUndefined();
      expect(res.data!.user).toMatchObject({ email: 'alice@example.com', roles: ['USER'], disabled: false });
    });

    it('answers null for an unknown id', async () => {
      const res = await server.execute(UserProfileDocument, { id: 'no-such-user' }, { token: bob.token });
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ user: null });
    });

    it('lets only ADMIN list users, paging with opaque cursors', async () => {
      const denied = await server.execute(UsersDocument, { first: 2 }, { token: alice.token });
      expect(denied.data).toBeNull();
      expect(denied.errors![0]).toMatchObject({
        path: ['users'],
        extensions: { code: 'FORBIDDEN', requires: ['ADMIN'] },
      });

      const total = await server.countUsers();
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < total; page++) {
        const res: GraphQLResponse<UsersQuery> = await server.execute(
          UsersDocument,
          { first: 2, after },
          { token: admin.token },
        );
        expect(res.errors).toBeUndefined();
        const connection = res.data!.users;
        seen.push(...connection.edges.map((edge) => edge.node.id));
        after = connection.pageInfo.endCursor;
        if (!connection.pageInfo.hasNextPage) break;
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
    });

    it('refuses page sizes outside 1..100 and foreign cursors with BAD_USER_INPUT', async () => {
      for (const variables of [
        { first: 0 },
        { first: 101 },
        { first: -5 },
        { after: 'bm90LWEtY3Vyc29y' },
        { after: "' OR 1=1 --" },
      ]) {
        const res = await server.execute(UsersDocument, variables, { token: admin.token });
        expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      }
    });
  });
});
