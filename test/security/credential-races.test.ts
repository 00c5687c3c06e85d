import argon2 from 'argon2';
import {
  ChangePasswordDocument,
  LoginDocument,
  MeDocument,
  RefreshDocument,
  SetUserDisabledDocument,
  SetUserRolesDocument,
} from '../generated/graphql';
import { Role } from '../../src/auth/roles';
import { describeEachDatabase } from '../helpers/databases';
import { createHeldHasher, type HeldHasher } from '../helpers/held-hasher';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

const NEW_PASSWORD = 'a completely new passphrase';
const reasonOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.reason;

// A login reads the user, spends an argon2 verify, then opens a session. Whatever changes the
// credentials while the verify runs must win: the login keeps nothing.
describeEachDatabase('logins racing a credentials change', (dialect) => {
  let server: TestServer;
  let held: HeldHasher;
  beforeEach(async () => {
    held = await createHeldHasher();
    server = await startTestServer(dialect, { passwordHasher: held.hasher });
  });
  afterEach(() => server.close());

  const login = (email: string, password = TEST_PASSWORD) => server.execute(LoginDocument, { email, password });
  const openSessions = async (userId: string) =>
    (
      await server.app.services.database.db
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .execute()
    ).length;

  it('a login with the old password in flight during changePassword opens no session', async () => {
    const victim = await server.signIn('victim@example.com');
    const hold = held.holdNextVerify();
    const attacker = login('victim@example.com');
    await hold.reached;
    const changed = await server.execute(
      ChangePasswordDocument,
      { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
      { token: victim.accessToken },
    );
    expect(changed.data).toEqual({ changePassword: true });
    hold.release();

    const res = await attacker;
    expect(res.data).toBeNull();
    expect(reasonOf(res)).toBe('INVALID_CREDENTIALS');
    expect(await openSessions(victim.id)).toBe(1);
    // The session that changed the password carries on, refresh included.
    expect((await server.execute(RefreshDocument, { refreshToken: victim.refreshToken })).errors).toBeUndefined();
  });

  it('a login in flight during setUserDisabled(true) opens no session and gets no token', async () => {
    const admin = await server.signIn('admin@example.com', [Role.ADMIN]);
    const user = await server.createUser('soon-disabled@example.com');
    const hold = held.holdNextVerify();
    const pending = login('soon-disabled@example.com');
    await hold.reached;
    const disabled = await server.execute(
      SetUserDisabledDocument,
      { userId: user.id, disabled: true },
      { token: admin.accessToken },
    );
    expect(disabled.errors).toBeUndefined();
    hold.release();

    const res = await pending;
    expect(res.data).toBeNull();
    expect(reasonOf(res)).toBe('INVALID_CREDENTIALS');
    expect(await openSessions(user.id)).toBe(0);
  });

  it('a login in flight during a demotion signs the roles as they are when its session opens', async () => {
    const admin = await server.signIn('admin@example.com', [Role.ADMIN]);
    const other = await server.createUser('other-admin@example.com', [Role.ADMIN]);
    const hold = held.holdNextVerify();
    const pending = login('other-admin@example.com');
    await hold.reached;
    await server.execute(SetUserRolesDocument, { userId: other.id, roles: ['USER'] }, { token: admin.accessToken });
    hold.release();

    const res = await pending;
    expect(res.data!.login.user.roles).toEqual(['USER']);
    const me = await server.execute(MeDocument, {}, { token: res.data!.login.accessToken });
    expect(me.data!.me!.roles).toEqual(['USER']);
  });

  it('a session whose credentials are older than the user’s cannot be refreshed, and ends', async () => {
    const user = await server.signIn('stale-credentials@example.com');
    // As if a password change had committed without reaching this session (the defence behind the lock).
    await server.app.services.database.db
      .updateTable('users')
      .set((eb) => ({ credentials_version: eb('credentials_version', '+', 1) }))
      .where('id', '=', user.id)
      .execute();
    expect(reasonOf(await server.execute(RefreshDocument, { refreshToken: user.refreshToken }))).toBe(
      'REFRESH_TOKEN_INVALID',
    );
    expect(await openSessions(user.id)).toBe(0);
    const me = await server.execute(MeDocument, {}, { token: user.accessToken });
    expect(me.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
  });

  it('a hash upgrade computed during a password change never puts the old password back', async () => {
    const user = await server.createUser('upgrade@example.com');
    // A hash made with weaker parameters: the next login re-hashes the password it has just proven.
    const weak = await argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1 });
    await server.app.services.database.db
      .updateTable('users')
      .set({ password_hash: weak })
      .where('id', '=', user.id)
      .execute();
    const hold = held.holdNextVerify();
    const pending = login('upgrade@example.com');
    await hold.reached;
    await server.app.services.users.changePassword(user.id, TEST_PASSWORD, NEW_PASSWORD, null);
    hold.release();

    expect(reasonOf(await pending)).toBe('INVALID_CREDENTIALS');
    expect(reasonOf(await login('upgrade@example.com'))).toBe('INVALID_CREDENTIALS');
    expect((await login('upgrade@example.com', NEW_PASSWORD)).errors).toBeUndefined();
  });

  it('logins with the old password fired during a password change leave no session that survives it', async () => {
    const victim = await server.signIn('hammered@example.com');
    const attempts = Array.from({ length: 6 }, () => login('hammered@example.com'));
    const changed = server.execute(
      ChangePasswordDocument,
      { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
      { token: victim.accessToken },
    );
    expect((await changed).data).toEqual({ changePassword: true });
    const answers = await Promise.all(attempts);

    // Whatever each login got, nothing it got outlives the change.
    expect(await openSessions(victim.id)).toBe(1);
    for (const answer of answers) {
      if (!answer.data) continue;
      const { accessToken, refreshToken } = answer.data.login;
      expect((await server.execute(MeDocument, {}, { token: accessToken })).status).toBe(401);
      expect(reasonOf(await server.execute(RefreshDocument, { refreshToken }))).toBe('REFRESH_TOKEN_INVALID');
    }
  });
});
