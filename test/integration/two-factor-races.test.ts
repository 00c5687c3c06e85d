import { Role } from '../../src/auth/roles';
import {
  ChangePasswordDocument,
  LoginDocument,
  ReauthenticateDocument,
  SetUserDisabledDocument,
  VerifyMfaDocument,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { createHeldHasher, type HeldHasher } from '../helpers/held-hasher';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';
import { enrolTotp, totpCode } from '../helpers/two-factor';

describeEachDatabase('two-factor under races (check, await, act)', (dialect) => {
  let server: TestServer;
  let held: HeldHasher;
  beforeAll(async () => {
    held = await createHeldHasher();
    server = await startTestServer(dialect, { passwordHasher: held.hasher });
  });
  afterAll(() => server.close());

  let n = 0;
  const reasonOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.reason;
  const now = () => server.clock.now();
  const sessionsOf = async (userId: string) =>
    (await server.app.services.database.db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute())
      .length;

  it('a password-only login inside argon2 while two-factor is turned on opens no session without the code', async () => {
    const email = `race-${++n}@example.com`;
    const user = await server.signIn(email);
    const hold = held.holdNextVerify();
    const login = server.execute(LoginDocument, { email, password: TEST_PASSWORD });
    await hold.reached;
    // The password was read and is being checked; meanwhile the owner turns two-factor on.
    const { secret } = await enrolTotp(server, user.accessToken);
    const sessions = await sessionsOf(user.id);
    hold.release();
    const res = await login;

    expect(res.data ?? null).toBeNull();
    expect(['MFA_REQUIRED', 'INVALID_CREDENTIALS']).toContain(reasonOf(res));
    expect(await sessionsOf(user.id)).toBe(sessions);
    if (reasonOf(res) === 'MFA_REQUIRED') {
      // Its challenge is bound to the credentials the password was checked against: they changed.
      const { challenge } = res.errors![0]!.extensions!.mfa as { challenge: string };
      const verified = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(secret, now()) });
      expect(verified.data ?? null).toBeNull();
      expect(await sessionsOf(user.id)).toBe(sessions);
    }
    // A login from now on asks for the code.
    const after = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
    expect(reasonOf(after)).toBe('MFA_REQUIRED');
  });

  it('costs a two-factor account one argon2 verify at login, like any other (and none at verifyMfa)', async () => {
    const email = `race-${++n}@example.com`;
    const user = await server.signIn(email);
    const { secret } = await enrolTotp(server, user.accessToken);
    const before = held.verifies;
    const login = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
    expect(reasonOf(login)).toBe('MFA_REQUIRED');
    expect(held.verifies - before).toBe(1);
    const { challenge } = login.errors![0]!.extensions!.mfa as { challenge: string };
    const verified = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(secret, now()) });
    expect(verified.errors).toBeUndefined();
    expect(held.verifies - before).toBe(1);
  });

  it('a challenge dies with a password change or a disable that comes after it', async () => {
    const admin = await server.signIn(`race-admin-${++n}@example.com`, [Role.ADMIN]);
    for (const change of ['password', 'disable'] as const) {
      const email = `race-${++n}@example.com`;
      const user = await server.signIn(email);
      const { secret } = await enrolTotp(server, user.accessToken);
      const login = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
      const { challenge } = login.errors![0]!.extensions!.mfa as { challenge: string };

      if (change === 'password') {
        // The enrolling session is the user's own (pwd otp, recent): it may change the password.
        const changed = await server.execute(
          ChangePasswordDocument,
          { currentPassword: TEST_PASSWORD, newPassword: 'a brand new password 1' },
          { token: user.accessToken },
        );
        expect(changed.errors).toBeUndefined();
      } else {
        const disabled = await server.execute(
          SetUserDisabledDocument,
          { userId: user.id, disabled: true },
          { token: admin.accessToken },
        );
        expect(disabled.errors).toBeUndefined();
        await server.execute(
          SetUserDisabledDocument,
          { userId: user.id, disabled: false },
          { token: admin.accessToken },
        );
      }
      const sessions = await sessionsOf(user.id);
      const verified = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(secret, now()) });
      expect([change, verified.data ?? null]).toEqual([change, null]);
      expect(reasonOf(verified)).toBe('INVALID_CREDENTIALS');
      expect(await sessionsOf(user.id)).toBe(sessions);
    }
  });

  it('reauthenticate inside argon2 while the account is disabled gives no token', async () => {
    const admin = await server.signIn(`race-admin-${++n}@example.com`, [Role.ADMIN]);
    const user = await server.signIn(`race-${++n}@example.com`);
    const hold = held.holdNextVerify();
    const reauthenticating = server.execute(
      ReauthenticateDocument,
      { password: TEST_PASSWORD },
      { token: user.accessToken },
    );
    await hold.reached;
    const disabled = await server.execute(
      SetUserDisabledDocument,
      { userId: user.id, disabled: true },
      { token: admin.accessToken },
    );
    expect(disabled.errors).toBeUndefined();
    hold.release();
    const res = await reauthenticating;
    expect(res.data?.reauthenticate ?? null).toBeNull();
    // The password was right when read; the write that records the step-up finds the session ended.
    expect(reasonOf(res)).toBe('TOKEN_REVOKED');
  });
});
