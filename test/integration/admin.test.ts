import { Role } from '../../src/auth/roles';
import {
  AuditEventsDocument,
  LoginDocument,
  MeDocument,
  RefreshDocument,
  SetUserDisabledDocument,
  SetUserRolesDocument,
  UserProfileDocument,
  UsersDocument,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import {
  TEST_PASSWORD,
  startTestServer,
  type GraphQLResponse,
  type SignedIn,
  type TestServer,
} from '../helpers/test-server';

describeEachDatabase('administration: roles, disabling, and the audit log', (dialect) => {
  let server: TestServer;
  let admin: SignedIn;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    admin = await server.signIn('root@example.com', [Role.ADMIN]);
  });
  afterAll(() => server.close());

  let n = 0;
  const freshUser = () => server.signIn(`admin-suite-${++n}@example.com`);
  const reasonOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.reason;
  const asAdmin = { token: '' };
  beforeEach(() => {
    asAdmin.token = admin.accessToken;
  });

  it('a role change makes older access tokens stale; a refresh brings the new roles', async () => {
    const user = await freshUser();
    const changed = await server.execute(SetUserRolesDocument, { userId: user.id, roles: ['ADMIN'] }, asAdmin);
    expect(changed.data).toEqual({ setUserRoles: { id: user.id, roles: ['ADMIN'] } });

    const stale = await server.execute(MeDocument, {}, { token: user.accessToken });
    expect(stale.status).toBe(401);
    expect(stale.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_STALE' });

    const refreshed = await server.execute(RefreshDocument, { refreshToken: user.refreshToken });
    expect(refreshed.data!.refresh.user.roles).toEqual(['ADMIN']);
    const list = await server.execute(UsersDocument, { first: 1 }, { token: refreshed.data!.refresh.accessToken });
    expect(list.errors).toBeUndefined();
  });

  it('setting the same roles again changes nothing and keeps tokens valid', async () => {
    const user = await freshUser();
    await server.execute(SetUserRolesDocument, { userId: user.id, roles: ['USER'] }, asAdmin);
    expect((await server.execute(MeDocument, {}, { token: user.accessToken })).status).toBe(200);
  });

  it('disabling ends every session: access tokens, refresh tokens and logins all fail until re-enabled', async () => {
    const user = await freshUser();
    const email = `admin-suite-${n}@example.com`;
    const second = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });

    const res = await server.execute(SetUserDisabledDocument, { userId: user.id, disabled: true }, asAdmin);
    expect(res.data).toEqual({ setUserDisabled: { id: user.id, disabled: true } });
    for (const token of [user.accessToken, second.data!.login.accessToken]) {
      const me = await server.execute(MeDocument, {}, { token });
      expect(me.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    }
    for (const refreshToken of [user.refreshToken, second.data!.login.refreshToken!]) {
      expect(reasonOf(await server.execute(RefreshDocument, { refreshToken }))).toBe('REFRESH_TOKEN_INVALID');
    }
    expect(reasonOf(await server.execute(LoginDocument, { email, password: TEST_PASSWORD }))).toBe(
      'INVALID_CREDENTIALS',
    );

    await server.execute(SetUserDisabledDocument, { userId: user.id, disabled: false }, asAdmin);
    expect((await server.execute(LoginDocument, { email, password: TEST_PASSWORD })).errors).toBeUndefined();
  });

  it('only ADMINs may change roles or disable; others get FORBIDDEN and nothing changes', async () => {
    const user = await freshUser();
    const victim = await freshUser();
    const promote = await server.execute(
      SetUserRolesDocument,
      { userId: user.id, roles: ['ADMIN'] },
      { token: user.accessToken },
    );
    expect(promote.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', requires: ['ADMIN'] });
    const disable = await server.execute(
      SetUserDisabledDocument,
      { userId: victim.id, disabled: true },
      { token: user.accessToken },
    );
    expect(disable.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const check = await server.execute(UserProfileDocument, { id: victim.id }, asAdmin);
    expect(check.data!.user).toMatchObject({ roles: ['USER'], disabled: false });
  });

  it('refuses empty role lists, unknown users and unknown roles', async () => {
    const user = await freshUser();
    const empty = await server.execute(SetUserRolesDocument, { userId: user.id, roles: [] }, asAdmin);
    expect(empty.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'roles' });
    const missing = await server.execute(
      SetUserRolesDocument,
      { userId: '00000000-0000-4000-8000-000000000000', roles: ['USER'] },
      asAdmin,
    );
    expect(missing.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'userId' });
    const bogus = await server.post(
      { query: `mutation { setUserRoles(userId: "${user.id}", roles: [ROOT]) { id } }` },
      { authorization: `Bearer ${admin.accessToken}` },
    );
    expect(bogus.status).toBe(400);
  });

  it('the last active ADMIN cannot demote or disable themself', async () => {
    const lone = await startTestServer(dialect);
    try {
      const only = await lone.signIn('only-admin@example.com', [Role.ADMIN]);
      const token = { token: only.accessToken };
      const demote = await lone.execute(SetUserRolesDocument, { userId: only.id, roles: ['USER'] }, token);
      expect(demote.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'roles' });
      const disable = await lone.execute(SetUserDisabledDocument, { userId: only.id, disabled: true }, token);
      expect(disable.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'disabled' });
      expect((await lone.execute(MeDocument, {}, token)).data!.me!.roles).toEqual(['ADMIN']);

      // With a second ADMIN the first may step down.
      const second = await lone.createUser('second-admin@example.com', [Role.ADMIN]);
      const stepDown = await lone.execute(SetUserRolesDocument, { userId: only.id, roles: ['EDITOR'] }, token);
      expect(stepDown.data).toEqual({ setUserRoles: { id: only.id, roles: ['EDITOR'] } });
      expect(second.roles).toEqual(['ADMIN']);
    } finally {
      await lone.close();
    }
  });

  it('records security events for ADMINs to page through, newest first, with no secrets', async () => {
    // Events are ordered by time; within one millisecond their order is not defined, so let time pass.
    const user = await freshUser();
    const email = `admin-suite-${n}@example.com`;
    server.clock.advance(1);
    await server.execute(
      LoginDocument,
      { email, password: 'wrong password!' },
      { headers: { 'user-agent': 'Audit/1.0' } },
    );
    server.clock.advance(1);
    await server.execute(SetUserRolesDocument, { userId: user.id, roles: ['EDITOR'] }, asAdmin);

    const res = await server.execute(AuditEventsDocument, { userId: user.id, first: 10 }, asAdmin);
    expect(res.errors).toBeUndefined();
    const events = res.data!.auditEvents.edges.map((e) => e.node);
    expect(events.map((e) => e.type)).toEqual(['ROLES_CHANGED', 'LOGIN_FAILED', 'LOGIN_SUCCEEDED']);
    expect(events[0]).toMatchObject({
      actorId: admin.id,
      userId: user.id,
      details: JSON.stringify({ from: ['USER'], to: ['EDITOR'] }),
    });
    expect(events[1]).toMatchObject({ userAgent: 'Audit/1.0', ip: '127.0.0.1', details: JSON.stringify({ email }) });

    const everything = JSON.stringify((await server.execute(AuditEventsDocument, { first: 200 }, asAdmin)).data);
    expect(everything).not.toContain(TEST_PASSWORD);
    expect(everything).not.toContain('wrong password!');
    expect(everything).not.toContain(user.refreshToken);

    const firstPage = await server.execute(AuditEventsDocument, { first: 2 }, asAdmin);
    const secondPage = await server.execute(
      AuditEventsDocument,
      { first: 2, after: firstPage.data!.auditEvents.pageInfo.endCursor },
      asAdmin,
    );
    const ids = [...firstPage.data!.auditEvents.edges, ...secondPage.data!.auditEvents.edges].map((e) => e.node.id);
    expect(new Set(ids).size).toBe(4);

    const denied = await server.execute(AuditEventsDocument, {}, { token: (await freshUser()).accessToken });
    expect(denied.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', requires: ['ADMIN'] });
  });
});
