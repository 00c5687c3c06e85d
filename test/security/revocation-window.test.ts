import {
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RevokeSessionDocument,
  SetUserDisabledDocument,
  SetUserRolesDocument,
  UsersDocument,
} from '../generated/graphql';
import { Role, roleMask } from '../../src/auth/roles';
import { CLOCK_SKEW_SECONDS } from '../../src/auth/tokens';
import { TestClock } from '../helpers/clock';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/databases';
import { testViewer } from '../helpers/viewers';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

/*
 * A revocation must be remembered for as long as any token it revokes can still verify.
 * A token verifies until CLOCK_SKEW_SECONDS past its exp, so one issued just before a
 * logout outlives the logout by nearly ttl + skew. When the entry was kept for only one
 * ttl, the next revocation event swept it and the logged-out, disabled or demoted token
 * worked again for the rest of the skew: up to 30 s, here with ACCESS_TOKEN_TTL=30s.
 *
 * The clock is injected; tokens are issued less than a second before they are revoked.
 */
const ENV = { ACCESS_TOKEN_TTL: '30s' };
const TTL_SECONDS = 30;
/** Seconds from sign-in to the revocation: under one, so the token outlives it by nearly ttl + skew. */
const JUST_BEFORE_SECONDS = 0.4;

interface AccessClaims {
  readonly sub: string;
  readonly sid: string;
  readonly rv: number;
  readonly exp: number;
}

const claimsOf = (token: string): AccessClaims =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as AccessClaims;
/** The first millisecond at which the token is refused for its age: the skew past exp. */
const refusedFrom = (token: string): number => (claimsOf(token).exp + CLOCK_SKEW_SECONDS) * 1000;
/** The last millisecond at which the token still verifies. */
const lastAcceptedAt = (token: string): number => refusedFrom(token) - 1;

const moveTo = (clock: TestClock, ms: number): void => {
  clock.advance((ms - clock.now()) / 1000);
  expect(clock.now()).toBe(ms);
};

function expectRefused(res: GraphQLResponse<unknown>, reason: 'TOKEN_REVOKED' | 'TOKEN_STALE' | 'TOKEN_EXPIRED'): void {
  // Compared whole, so a failure shows what was answered instead; nothing may be answered on the token's behalf.
  expect({ status: res.status, extensions: res.errors?.[0]?.extensions, data: res.data ?? null }).toEqual({
    status: 401,
    extensions: { code: 'UNAUTHENTICATED', reason },
    data: null,
  });
}

describeEachDatabase('a revocation outlives every token it revokes', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect, { env: ENV });
  });
  afterAll(() => server?.close());

  let n = 0;
  const email = (role: string) => `window-${role}-${++n}@example.com`;
  const me = (token: string) => server.execute(MeDocument, {}, { token });
  const listSize = () => server.app.services.revocations.list.size;

  /** Any revocation event sweeps the in-memory list: here, a stranger logs out. */
  async function anotherUserLogsOut(): Promise<void> {
    const stranger = await server.signIn(email('stranger'));
    const res = await server.execute(LogoutDocument, {}, { token: stranger.accessToken });
    expect(res.data).toEqual({ logout: true });
  }

  /** To the last millisecond the token still verifies, with the list swept there. */
  async function toLastAcceptedInstantAfterASweep(token: string): Promise<void> {
    moveTo(server.clock, lastAcceptedAt(token));
    await anotherUserLogsOut();
  }

  /** One millisecond later the token is refused for its age, whatever the list holds. */
  async function expectExpiredFromSkewPastExp(token: string): Promise<void> {
    moveTo(server.clock, refusedFrom(token));
    expectRefused(await me(token), 'TOKEN_EXPIRED');
  }

  describe('through the last instant the token verifies, and after a sweep', () => {
    it('a token logged out is refused as revoked, and never answers with its user', async () => {
      const victim = await server.signIn(email('user'));
      server.clock.advance(JUST_BEFORE_SECONDS);
      expect((await server.execute(LogoutDocument, {}, { token: victim.accessToken })).data).toEqual({ logout: true });
      expectRefused(await me(victim.accessToken), 'TOKEN_REVOKED');

      // Past one ttl after the logout: where an entry sized by the ttl alone would have ended.
      server.clock.advance(TTL_SECONDS + 1.5);
      await anotherUserLogsOut();
      expectRefused(await me(victim.accessToken), 'TOKEN_REVOKED');

      await toLastAcceptedInstantAfterASweep(victim.accessToken);
      expectRefused(await me(victim.accessToken), 'TOKEN_REVOKED');

      await expectExpiredFromSkewPastExp(victim.accessToken);
    });

    it('a token whose session was revoked from another device is refused as revoked', async () => {
      const address = email('user');
      const victim = await server.signIn(address);
      const login = await server.execute(LoginDocument, { email: address, password: TEST_PASSWORD });
      const otherDevice = login.data!.login.accessToken;
      server.clock.advance(JUST_BEFORE_SECONDS);
      const revoked = await server.execute(
        RevokeSessionDocument,
        { id: claimsOf(victim.accessToken).sid },
        { token: otherDevice },
      );
      expect(revoked.data).toEqual({ revokeSession: true });
      expectRefused(await me(victim.accessToken), 'TOKEN_REVOKED');

      await toLastAcceptedInstantAfterASweep(victim.accessToken);
      expectRefused(await me(victim.accessToken), 'TOKEN_REVOKED');

      await expectExpiredFromSkewPastExp(victim.accessToken);
    });

    it('a disabled ADMIN cannot use the old token to re-enable themself; they stay disabled', async () => {
      const chief = await server.signIn(email('chief'), [Role.ADMIN]);
      const victim = await server.signIn(email('admin'), [Role.ADMIN]);
      server.clock.advance(JUST_BEFORE_SECONDS);
      const disabled = await server.execute(
        SetUserDisabledDocument,
        { userId: victim.id, disabled: true },
        { token: chief.accessToken },
      );
      expect(disabled.data?.setUserDisabled.disabled).toBe(true);
      const reEnable = () =>
        server.execute(SetUserDisabledDocument, { userId: victim.id, disabled: false }, { token: victim.accessToken });
      expectRefused(await reEnable(), 'TOKEN_REVOKED');

      await toLastAcceptedInstantAfterASweep(victim.accessToken);
      expectRefused(await reEnable(), 'TOKEN_REVOKED');
      expectRefused(await me(victim.accessToken), 'TOKEN_REVOKED');
      expect((await server.app.services.users.findById(victim.id))?.disabled).toBe(true);

      await expectExpiredFromSkewPastExp(victim.accessToken);
      expect((await server.app.services.users.findById(victim.id))?.disabled).toBe(true);
    });

    it('a demoted ADMIN can neither list users nor promote themself back with the old token', async () => {
      const chief = await server.signIn(email('chief'), [Role.ADMIN]);
      const victim = await server.signIn(email('admin'), [Role.ADMIN]);
      server.clock.advance(JUST_BEFORE_SECONDS);
      const demoted = await server.execute(
        SetUserRolesDocument,
        { userId: victim.id, roles: ['USER'] },
        { token: chief.accessToken },
      );
      expect(demoted.data?.setUserRoles.roles).toEqual(['USER']);
      const afterDemotion = await server.app.services.users.findById(victim.id);
      const listUsers = () => server.execute(UsersDocument, { first: 5 }, { token: victim.accessToken });
      const promoteSelf = () =>
        server.execute(SetUserRolesDocument, { userId: victim.id, roles: ['ADMIN'] }, { token: victim.accessToken });
      expectRefused(await listUsers(), 'TOKEN_STALE');

      await toLastAcceptedInstantAfterASweep(victim.accessToken);
      expectRefused(await listUsers(), 'TOKEN_STALE');
      expectRefused(await promoteSelf(), 'TOKEN_STALE');
      const now = await server.app.services.users.findById(victim.id);
      expect(now?.roles).toEqual([Role.USER]);
      expect(now?.rolesVersion).toBe(afterDemotion?.rolesVersion);

      await expectExpiredFromSkewPastExp(victim.accessToken);
      expect((await server.app.services.users.findById(victim.id))?.roles).toEqual([Role.USER]);
    });
  });

  describe('reloading from the database', () => {
    it('keeps refusing a token at its last accepted instant when reloaded after a sweep', async () => {
      const victim = await server.signIn(email('user'));
      server.clock.advance(JUST_BEFORE_SECONDS);
      await server.execute(LogoutDocument, {}, { token: victim.accessToken });

      await toLastAcceptedInstantAfterASweep(victim.accessToken);
      await server.app.services.revocations.reload();
      expectRefused(await me(victim.accessToken), 'TOKEN_REVOKED');
    });

    it('loads a revocation only the database knows (its bus message lost) up to that instant', async () => {
      const loggedOut = await server.signIn(email('user'));
      const demoted = await server.signIn(email('editor'), [Role.EDITOR]);
      server.clock.advance(JUST_BEFORE_SECONDS);
      const at = server.clock.now();
      const { db } = server.app.services.database;
      await db
        .updateTable('sessions')
        .set({ ended_at: at, end_reason: 'logout' })
        .where('user_id', '=', loggedOut.id)
        .execute();
      await db
        .updateTable('users')
        .set({
          role_mask: roleMask([Role.USER]),
          roles_version: claimsOf(demoted.accessToken).rv + 1,
          roles_changed_at: at,
        })
        .where('id', '=', demoted.id)
        .execute();

      moveTo(server.clock, Math.min(lastAcceptedAt(loggedOut.accessToken), lastAcceptedAt(demoted.accessToken)));
      // Not heard on the bus: only the database can tell.
      expect((await me(loggedOut.accessToken)).status).toBe(200);
      await server.app.services.revocations.reload();
      expectRefused(await me(loggedOut.accessToken), 'TOKEN_REVOKED');
      expectRefused(await me(demoted.accessToken), 'TOKEN_STALE');
    });
  });

  it('does not keep an entry forever: a minute after its last token is refused, a sweep has dropped it', async () => {
    const victim = await server.signIn(email('user'));
    server.clock.advance(JUST_BEFORE_SECONDS);
    await server.execute(LogoutDocument, {}, { token: victim.accessToken });
    const revokedAt = server.clock.now();
    const { sub, sid, rv } = claimsOf(victim.accessToken);
    const viewer = testViewer(sub, [Role.USER], { sessionId: sid, rolesVersion: rv });
    expect(server.app.services.revocations.check(viewer)).toBe('TOKEN_REVOKED');

    moveTo(server.clock, revokedAt + (TTL_SECONDS + CLOCK_SKEW_SECONDS + 60) * 1000);
    await anotherUserLogsOut();
    expect(server.app.services.revocations.check(viewer)).toBeNull();
    // Everything revoked earlier is older still: the stranger's logout is all that is left.
    expect(listSize()).toEqual({ sessions: 1, users: 0 });
  });
});

describeEachDatabase('an instance started late learns the revocations its peers made', (dialect) => {
  let database: TestDatabase;
  let clock: TestClock;
  let first: TestServer;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    clock = new TestClock(Date.now());
    first = await startTestServer(dialect, { database, clock, env: ENV });
  });
  afterAll(async () => {
    await first?.close();
    await database?.dispose();
  });

  it('refuses a logged-out and a demoted token one second before they would expire', async () => {
    const chief = await first.signIn('late-chief@example.com', [Role.ADMIN]);
    const loggedOut = await first.signIn('late-user@example.com');
    const demoted = await first.signIn('late-admin@example.com', [Role.ADMIN]);
    clock.advance(JUST_BEFORE_SECONDS);
    await first.execute(LogoutDocument, {}, { token: loggedOut.accessToken });
    await first.execute(SetUserRolesDocument, { userId: demoted.id, roles: ['USER'] }, { token: chief.accessToken });

    moveTo(clock, Math.min(refusedFrom(loggedOut.accessToken), refusedFrom(demoted.accessToken)) - 1000);
    // No bus between the two: the late instance knows only what it loaded at start-up.
    const late = await startTestServer(dialect, { database, clock, env: ENV });
    try {
      expectRefused(await late.execute(MeDocument, {}, { token: loggedOut.accessToken }), 'TOKEN_REVOKED');
      expectRefused(await late.execute(UsersDocument, { first: 5 }, { token: demoted.accessToken }), 'TOKEN_STALE');
      const promoteSelf = await late.execute(
        SetUserRolesDocument,
        { userId: demoted.id, roles: ['ADMIN'] },
        { token: demoted.accessToken },
      );
      expectRefused(promoteSelf, 'TOKEN_STALE');
      expect((await late.app.services.users.findById(demoted.id))?.roles).toEqual([Role.USER]);
    } finally {
      await late.close();
    }
  });
});

describeEachDatabase('lowering ACCESS_TOKEN_TTL brings no revoked token back', (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(() => database.dispose());

  it('refuses a token signed under a longer lifetime once the server runs with a shorter one', async () => {
    const clock = new TestClock(Date.now());
    const before = await startTestServer(dialect, { database, clock, env: { ACCESS_TOKEN_TTL: '5m' } });
    const user = await before.signIn('lowered@example.com');
    await before.execute(LogoutDocument, {}, { token: user.accessToken });
    await before.close();

    // The restart's revocations are sized by 30 s: the 5-minute token would outlive them.
    clock.advance(70);
    const after = await startTestServer(dialect, { database, clock, env: { ACCESS_TOKEN_TTL: '30s' } });
    try {
      expect(
        after.app.services.revocations.check(
          testViewer(user.id, [Role.USER], { sessionId: claimsOf(user.accessToken).sid }),
        ),
      ).toBeNull();
      expectRefused(await after.execute(MeDocument, {}, { token: user.accessToken }), 'TOKEN_EXPIRED');
    } finally {
      await after.close();
    }
  });
});
