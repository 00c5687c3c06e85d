import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLSchema } from 'graphql';
import { recentAuthOf } from '../../src/graphql/directives';
import { buildSchemaForPrinting } from '../../src/app';
import { Role } from '../../src/auth/roles';
import {
  ChangeEmailDocument,
  ChangePasswordDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  ReauthenticateDocument,
  RefreshDocument,
  ResetUserTwoFactorDocument,
  SetUserDisabledDocument,
  SetUserRolesDocument,
  VerifyMfaDocument,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { forgeHmac } from '../helpers/forge';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';
import { claimsOf, enrolTotp, totpCode, wrongTotpCode } from '../helpers/two-factor';

/** Every mutation that asks for a recent authentication, with arguments that are refused after the check (nothing changes). */
const GUARDED: ReadonlyArray<{ name: string; document: TypedDocumentNode<unknown, never>; variables: object }> = [
  {
    name: 'changePassword',
    document: ChangePasswordDocument as never,
    variables: { currentPassword: 'not the current password', newPassword: 'a brand new password 1' },
  },
  {
    name: 'changeEmail',
    document: ChangeEmailDocument as never,
    variables: { newEmail: 'not an email', currentPassword: 'not the current password' },
  },
  {
    name: 'setUserRoles',
    document: SetUserRolesDocument as never,
    variables: { userId: 'no-such-user', roles: ['USER'] },
  },
  {
    name: 'setUserDisabled',
    document: SetUserDisabledDocument as never,
    variables: { userId: 'no-such-user', disabled: true },
  },
  { name: 'resetUserTwoFactor', document: ResetUserTwoFactorDocument as never, variables: { userId: 'no-such-user' } },
];

describe('the step-up policy in the schema', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildSchemaForPrinting();
  });

  it.each(GUARDED.map((m) => m.name))('%s declares @recentAuth in its SDL and says so in its description', (name) => {
    const field = schema.getMutationType()!.getFields()[name]!;
    expect(recentAuthOf(field)).toEqual({ maxAgeSeconds: 600, factors: 2 });
    expect(print(field.astNode!)).toContain('@recentAuth(maxAgeSeconds: 600, factors: 2)');
    // Introspection carries no directives: Sandbox users read it here.
    expect(field.description).toContain('Step-up: an authentication within 10 minutes, with 2 factors');
  });

  // A token's age proves nothing against its thief: these check the password (and a code) in the call itself.
  it.each([
    ['startTotpEnrollment', ['currentPassword']],
    ['regenerateRecoveryCodes', ['currentPassword', 'code', 'recoveryCode']],
    ['disableTotp', ['currentPassword', 'code', 'recoveryCode']],
    ['confirmTotpEnrollment', ['code']],
  ])('%s asks for its proof as arguments, not @recentAuth', (name, args) => {
    const field = schema.getMutationType()!.getFields()[name]!;
    expect(recentAuthOf(field)).toBeUndefined();
    expect(field.args.map((arg) => arg.name)).toEqual(args);
    if (args[0] === 'currentPassword') expect(String(field.args[0]!.type)).toBe('String!');
  });
});

describeEachDatabase('step-up: recent authentication for sensitive mutations', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  let n = 0;
  const reasonOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.reason;
  const now = () => server.clock.now();
  /** A whole second, so that the login's auth_time (seconds) is exactly the login's time. */
  const toWholeSecond = () => server.clock.advance((1000 - (now() % 1000)) / 1000);

  /** An ADMIN signed in now; returns its real token. */
  async function freshAdmin(): Promise<{ token: string; id: string }> {
    toWholeSecond();
    const signedIn = await server.signIn(`step-up-${++n}@example.com`, [Role.ADMIN]);
    return { token: signedIn.accessToken, id: signedIn.id };
  }

  /** The real token with its authentication claims replaced, signed with the server's key: what the policy sees. */
  function withAuthentication(token: string, amr: string[] | undefined, authTime: number | undefined): string {
    const claims = claimsOf(token);
    const iat = Math.floor(now() / 1000);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    const rest = { ...claims };
    delete rest.amr;
    delete rest.auth_time;
    return forgeHmac({
      header: { kid: header.kid },
      claims: {
        ...rest,
        iat,
        exp: iat + 300,
        jti: `step-up-${++n}`,
        ...(amr ? { amr } : {}),
        ...(authTime !== undefined ? { auth_time: authTime } : {}),
      },
    });
  }

  describe.each(GUARDED)('$name', ({ document, variables }) => {
    const run = (token: string) => server.execute(document, variables as never, { token });

    it('allows an authentication exactly 10 minutes old, and refuses it one millisecond later', async () => {
      const admin = await freshAdmin();
      const loginSecond = Math.floor(now() / 1000);
      expect(claimsOf(admin.token).auth_time).toBe(loginSecond);
      server.clock.advance(600);
      const atEdge = await run(withAuthentication(admin.token, ['pwd'], loginSecond));
      expect(reasonOf(atEdge)).not.toBe('STEP_UP_REQUIRED');
      expect(atEdge.errors?.[0]?.extensions?.code).not.toBe('FORBIDDEN');
      server.clock.advance(0.001);
      const past = await run(withAuthentication(admin.token, ['pwd'], loginSecond));
      expect(past.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'STEP_UP_REQUIRED',
        maxAge: 600,
        factors: 2,
      });
      expect(past.data).toBeNull();
    });

    it('counts factors: pwd otp and a passkey pass, one factor of a two-factor account does not', async () => {
      const admin = await freshAdmin();
      const authTime = Math.floor(now() / 1000);
      for (const amr of [['pwd', 'otp'], ['hwk'], ['swk'], ['pwd']]) {
        const res = await run(withAuthentication(admin.token, amr, authTime));
        expect([amr, reasonOf(res)]).not.toEqual([amr, 'STEP_UP_REQUIRED']);
      }
      // A code alone proves one factor; a password-only token is only ever an account without a second factor.
      const oneFactor = await run(withAuthentication(admin.token, ['otp'], authTime));
      expect(reasonOf(oneFactor)).toBe('STEP_UP_REQUIRED');
    });

    it('refuses a token from before tokens carried auth_time, and refuses anonymous callers as before', async () => {
      const admin = await freshAdmin();
      const legacy = await run(withAuthentication(admin.token, undefined, undefined));
      expect(reasonOf(legacy)).toBe('STEP_UP_REQUIRED');
      const anonymous = await server.execute(document, variables as never);
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  it('does not run the mutation when the step-up refuses: the roles stay as they were', async () => {
    const admin = await freshAdmin();
    const target = await server.signIn(`step-up-${++n}@example.com`);
    server.clock.advance(601);
    const refreshed = await server.execute(LoginDocument, {
      email: `step-up-${n}@example.com`,
      password: TEST_PASSWORD,
    });
    expect(refreshed.errors).toBeUndefined();
    const res = await server.execute(
      SetUserRolesDocument,
      { userId: target.id, roles: ['ADMIN'] },
      { token: withAuthentication(admin.token, ['pwd'], Math.floor(now() / 1000) - 601) },
    );
    expect(reasonOf(res)).toBe('STEP_UP_REQUIRED');
    const me = await server.execute(MeDocument, {}, { token: refreshed.data!.login.accessToken });
    expect(me.data!.me!.roles).toEqual(['USER']);
  });

  describe('reauthenticate', () => {
    it('gives a fresh access token for the same session, and the session keeps the new auth_time across refresh', async () => {
      const email = `step-up-${++n}@example.com`;
      const user = await server.signIn(email);
      server.clock.advance(900);
      // The access token has expired by now; the client refreshes, then steps up.
      const refreshed = await server.execute(RefreshDocument, { refreshToken: user.refreshToken });
      const stale = await server.execute(
        ChangePasswordDocument,
        { currentPassword: TEST_PASSWORD, newPassword: 'a brand new password 1' },
        { token: refreshed.data!.refresh.accessToken },
      );
      expect(reasonOf(stale)).toBe('STEP_UP_REQUIRED');

      toWholeSecond();
      const reauthenticated = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD },
        { token: refreshed.data!.refresh.accessToken },
      );
      const fresh = reauthenticated.data!.reauthenticate;
      expect(fresh.tokenType).toBe('Bearer');
      expect(claimsOf(fresh.accessToken)).toMatchObject({
        amr: ['pwd'],
        auth_time: Math.floor(now() / 1000),
        sid: claimsOf(refreshed.data!.refresh.accessToken).sid,
      });
      // Not a new session, and the old access token still works.
      const me = await server.execute(MeDocument, {}, { token: refreshed.data!.refresh.accessToken });
      expect(me.data!.me!.id).toBe(user.id);
      // The refresh chain goes on, and its tokens state the step-up.
      const next = await server.execute(RefreshDocument, { refreshToken: refreshed.data!.refresh.refreshToken });
      expect(claimsOf(next.data!.refresh.accessToken).auth_time).toBe(Math.floor(now() / 1000));

      const changed = await server.execute(
        ChangePasswordDocument,
        { currentPassword: TEST_PASSWORD, newPassword: 'a brand new password 1' },
        { token: fresh.accessToken },
      );
      expect(changed.errors).toBeUndefined();
    });

    it('refuses a wrong password, and stops after 5 wrong ones in 15 minutes, the right one included', async () => {
      const user = await server.signIn(`step-up-${++n}@example.com`);
      for (let i = 0; i < 5; i++) {
        const wrong = await server.execute(
          ReauthenticateDocument,
          { password: `wrong password ${i}` },
          {
            token: user.accessToken,
          },
        );
        expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
      }
      const stopped = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD },
        { token: user.accessToken },
      );
      expect(stopped.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
      server.clock.advance(15 * 60);
      const login = await server.execute(LoginDocument, { email: `step-up-${n}@example.com`, password: TEST_PASSWORD });
      const after = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD },
        {
          token: login.data!.login.accessToken,
        },
      );
      expect(after.errors).toBeUndefined();
    });

    it('asks a two-factor account for its code too, and states pwd otp', async () => {
      const email = `step-up-${++n}@example.com`;
      const user = await server.signIn(email);
      const { secret, recoveryCodes } = await enrolTotp(server, user.accessToken);
      const login = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
      const { challenge } = login.errors![0]!.extensions!.mfa as { challenge: string };
      const verified = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(secret, now()) });
      const token = verified.data!.verifyMfa.accessToken;
      server.clock.advance(30);

      const missing = await server.execute(ReauthenticateDocument, { password: TEST_PASSWORD }, { token });
      expect(missing.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'SECOND_FACTOR_REQUIRED',
      });
      const wrongCode = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD, code: wrongTotpCode(secret, now()) },
        { token },
      );
      expect(wrongCode.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_MFA_CODE' });
      const wrongPassword = await server.execute(
        ReauthenticateDocument,
        { password: 'not the password at all', code: totpCode(secret, now()) },
        { token },
      );
      expect(wrongPassword.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
      const withCode = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD, code: totpCode(secret, now()) },
        { token },
      );
      expect(claimsOf(withCode.data!.reauthenticate.accessToken)).toMatchObject({ amr: ['pwd', 'otp'] });
      // The same code again is a replay.
      const replay = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD, code: totpCode(secret, now()) },
        { token },
      );
      expect(replay.errors?.[0]?.extensions).toMatchObject({ reason: 'INVALID_MFA_CODE' });
      const withRecovery = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD, recoveryCode: recoveryCodes[0]! },
        { token },
      );
      expect(claimsOf(withRecovery.data!.reauthenticate.accessToken)).toMatchObject({ amr: ['pwd', 'otp'] });
    });

    it('gives nothing for a session that has ended', async () => {
      const user = await server.signIn(`step-up-${++n}@example.com`);
      await server.execute(LogoutDocument, {}, { token: user.accessToken });
      const res = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD },
        { token: user.accessToken },
      );
      expect(res.status).toBe(401);
      expect(reasonOf(res)).toBe('TOKEN_REVOKED');
    });
  });
});
