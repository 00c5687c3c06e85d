import { Role } from '../../src/auth/roles';
import {
  AuditEventsDocument,
  ConfirmTotpEnrollmentDocument,
  DisableTotpDocument,
  LoginDocument,
  MeDocument,
  MyTwoFactorDocument,
  ReauthenticateDocument,
  RefreshDocument,
  RegenerateRecoveryCodesDocument,
  ResetUserTwoFactorDocument,
  StartTotpEnrollmentDocument,
  UserTwoFactorDocument,
  UsersTwoFactorDocument,
  VerifyMfaDocument,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { signInVerified } from '../helpers/verified-email';
import {
  TEST_PASSWORD,
  startTestServer,
  type GraphQLResponse,
  type SignedIn,
  type TestServer,
} from '../helpers/test-server';
import { claimsOf, enrolTotp, totpCode, wrongTotpCode, wrongTotpCodes, type Enrolled } from '../helpers/two-factor';

const STEP_MS = 30_000;

describeEachDatabase('two-factor: TOTP and recovery codes', (dialect) => {
  let server: TestServer;
  let admin: SignedIn;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    admin = await server.signIn('2fa-admin@example.com', [Role.ADMIN]);
  });
  afterAll(() => server.close());

  let n = 0;
  const reasonOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.reason;
  const codeOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.code;
  const now = () => server.clock.now();

  /** A signed-in user with TOTP on; the clock is past the step of the confirming code. */
  async function enrolledUser(): Promise<SignedIn & Enrolled & { email: string }> {
    const email = `2fa-${++n}@example.com`;
    const signedIn = await signInVerified(server, email);
    const enrolled = await enrolTotp(server, signedIn.accessToken);
    return { ...signedIn, ...enrolled, email };
  }

  /** Logs in with the password; returns the challenge login answered with. */
  async function challengeFor(email: string): Promise<string> {
    const res = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MFA_REQUIRED' });
    const mfa = res.errors![0]!.extensions!.mfa as { challenge: string; expiresIn: number; methods: string[] };
    return mfa.challenge;
  }

  /** A fresh ADMIN access token: the suite's clock moves far past any one token's life. */
  async function adminToken(): Promise<string> {
    const res = await server.execute(LoginDocument, { email: '2fa-admin@example.com', password: TEST_PASSWORD });
    return res.data!.login.accessToken;
  }

  /** Moves the clock to a whole second, so that auth_time (seconds) is exactly when the login was. */
  function toWholeSecond(): void {
    server.clock.advance((1000 - (now() % 1000)) / 1000);
  }

  /** Moves the clock to the first millisecond of a 30 s step, at least two steps on. */
  function toStepStart(): void {
    server.clock.advance((2 * STEP_MS - (now() % STEP_MS)) / 1000);
  }

  describe('enrolment', () => {
    it('gives the secret, an otpauth URI and an SVG QR code; confirming gives ten recovery codes, once', async () => {
      const user = await signInVerified(server, `2fa-${++n}@example.com`);
      const started = await server.execute(
        StartTotpEnrollmentDocument,
        { currentPassword: TEST_PASSWORD },
        { token: user.accessToken },
      );
      const enrollment = started.data!.startTotpEnrollment;
      expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
      const uri = new URL(enrollment.otpauthUri);
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.host).toBe('totp');
      expect(Object.fromEntries(uri.searchParams)).toMatchObject({
        secret: enrollment.secret,
        issuer: 'Tollgate',
        algorithm: 'SHA1',
        digits: '6',
        period: '30',
      });
      expect(enrollment.qrCodeSvg).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>\s*$/);
      expect(enrollment.expiresIn).toBe(600);
      // Not on until confirmed: login still asks only the password.
      const before = await server.execute(MyTwoFactorDocument, {}, { token: user.accessToken });
      expect(before.data!.me!.twoFactor).toEqual({ enabled: false, recoveryCodesLeft: 0 });

      const confirmed = await server.execute(
        ConfirmTotpEnrollmentDocument,
        { code: totpCode(enrollment.secret, now()) },
        { token: user.accessToken },
      );
      const codes = confirmed.data!.confirmTotpEnrollment.codes;
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
      const after = await server.execute(MyTwoFactorDocument, {}, { token: user.accessToken });
      expect(after.data!.me!.twoFactor).toEqual({ enabled: true, recoveryCodesLeft: 10 });

      // A database dump gives away neither the secret nor a code.
      const db = server.app.services.database.db;
      const stored = await db.selectFrom('totp_authenticators').selectAll().where('user_id', '=', user.id).execute();
      const secretBytes = Buffer.from(base32Decode(enrollment.secret));
      expect(stored[0]!.sealed_secret).not.toContain(enrollment.secret);
      expect(Buffer.from(stored[0]!.sealed_secret, 'base64url').includes(secretBytes)).toBe(false);
      const hashes = await db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
      const dump = JSON.stringify(hashes);
      for (const code of codes) {
        expect(dump).not.toContain(code);
        expect(dump).not.toContain(code.replace('-', ''));
      }
    });

    it('refuses a wrong code, and an enrolment confirmed at or after its 10 minutes', async () => {
      const user = await signInVerified(server, `2fa-${++n}@example.com`);
      const token = { token: user.accessToken };
      const { secret } = (await server.execute(StartTotpEnrollmentDocument, { currentPassword: TEST_PASSWORD }, token))
        .data!.startTotpEnrollment;
      const wrong = await server.execute(ConfirmTotpEnrollmentDocument, { code: wrongTotpCode(secret, now()) }, token);
      expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
      for (const garbage of ['', '12345', '1234567', 'abcdef', '12 34 5x']) {
        const res = await server.execute(ConfirmTotpEnrollmentDocument, { code: garbage }, token);
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
      }

      // The last millisecond of the 10 minutes still confirms (a fresh start, so the test owns the edge).
      toWholeSecond();
      const late = await signInVerified(server, `2fa-${++n}@example.com`);
      const started = (
        await server.execute(
          StartTotpEnrollmentDocument,
          { currentPassword: TEST_PASSWORD },
          { token: late.accessToken },
        )
      ).data!;
      server.clock.advance(600 - 0.001);
      // Step-up (10 minutes since login) still holds at this instant too.
      const inTime = await server.execute(
        ConfirmTotpEnrollmentDocument,
        { code: totpCode(started.startTotpEnrollment.secret, now()) },
        { token: late.accessToken },
      );
      expect(inTime.errors).toBeUndefined();

      const tooLate = await signInVerified(server, `2fa-${++n}@example.com`);
      const again = (
        await server.execute(
          StartTotpEnrollmentDocument,
          { currentPassword: TEST_PASSWORD },
          { token: tooLate.accessToken },
        )
      ).data!;
      server.clock.advance(300);
      const refreshed = await server.execute(
        ReauthenticateDocument,
        { password: TEST_PASSWORD },
        {
          token: tooLate.accessToken,
        },
      );
      server.clock.advance(300);
      const expired = await server.execute(
        ConfirmTotpEnrollmentDocument,
        { code: totpCode(again.startTotpEnrollment.secret, now()) },
        { token: refreshed.data!.reauthenticate.accessToken },
      );
      expect(expired.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
      const status = await server.execute(
        MyTwoFactorDocument,
        {},
        { token: refreshed.data!.reauthenticate.accessToken },
      );
      expect(status.data!.me!.twoFactor!.enabled).toBe(false);
    });

    it('refuses a second enrolment while one is on', async () => {
      const user = await enrolledUser();
      const res = await server.execute(
        StartTotpEnrollmentDocument,
        { currentPassword: TEST_PASSWORD },
        { token: user.accessToken },
      );
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'totp' });
    });

    it('ends every other session of the user and keeps this one, which now states pwd otp', async () => {
      const email = `2fa-${++n}@example.com`;
      const first = await signInVerified(server, email);
      const second = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
      const { secret } = await enrolTotp(server, first.accessToken);
      expect(secret).toBeTruthy();
      const other = await server.execute(MeDocument, {}, { token: second.data!.login.accessToken });
      expect(other.status).toBe(401);
      expect(reasonOf(other)).toBe('TOKEN_REVOKED');
      const stale = await server.execute(RefreshDocument, { refreshToken: second.data!.login.refreshToken });
      expect(codeOf(stale)).toBe('UNAUTHENTICATED');
      const kept = await server.execute(RefreshDocument, { refreshToken: first.refreshToken });
      expect(kept.errors).toBeUndefined();
      expect(claimsOf(kept.data!.refresh.accessToken).amr).toEqual(['pwd', 'otp']);
    });
  });

  describe('login with a second factor', () => {
    it('answers MFA_REQUIRED with a challenge and no tokens; verifyMfa opens the session with amr pwd otp', async () => {
      const user = await enrolledUser();
      const sessionsBefore = await server.countRows('sessions');
      const loginAt = now();
      const res = await server.execute(LoginDocument, { email: user.email, password: TEST_PASSWORD });
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'MFA_REQUIRED',
        mfa: { expiresIn: 300, methods: ['TOTP', 'RECOVERY_CODE'] },
      });
      const { challenge } = res.errors![0]!.extensions!.mfa as { challenge: string };
      expect(challenge).toMatch(/^mfa_[A-Za-z0-9_-]{43}$/);
      expect(await server.countRows('sessions')).toBe(sessionsBefore);

      server.clock.advance(40);
      const verified = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(user.secret, now()) });
      expect(verified.errors).toBeUndefined();
      const payload = verified.data!.verifyMfa;
      expect(payload.user.id).toBe(user.id);
      expect(await server.countRows('sessions')).toBe(sessionsBefore + 1);
      // auth_time is when the oldest method (the password) was proven.
      expect(claimsOf(payload.accessToken)).toMatchObject({
        amr: ['pwd', 'otp'],
        auth_time: Math.floor(loginAt / 1000),
      });
      const me = await server.execute(MeDocument, {}, { token: payload.accessToken });
      expect(me.data!.me!.id).toBe(user.id);

      // Refreshes state the same authentication: a refresh proves possession of a token, nothing more.
      server.clock.advance(300);
      const refreshed = await server.execute(RefreshDocument, { refreshToken: payload.refreshToken });
      expect(claimsOf(refreshed.data!.refresh.accessToken)).toMatchObject({
        amr: ['pwd', 'otp'],
        auth_time: Math.floor(loginAt / 1000),
      });
    });

    it('answers a wrong password for a two-factor account exactly as for anyone, with no challenge', async () => {
      const user = await enrolledUser();
      const wrong = await server.execute(LoginDocument, { email: user.email, password: 'not the password at all' });
      const unknown = await server.execute(LoginDocument, {
        email: `nobody-${n}@example.com`,
        password: 'not it at all',
      });
      expect(wrong.errors).toEqual(unknown.errors);
      expect(wrong.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
      expect(
        await server.app.services.database.db
          .selectFrom('mfa_challenges')
          .selectAll()
          .where('user_id', '=', user.id)
          .execute(),
      ).toEqual([]);
    });

    it('leaves users without a second factor logging in exactly as before, with amr pwd', async () => {
      const user = await signInVerified(server, `2fa-${++n}@example.com`);
      expect(claimsOf(user.accessToken)).toMatchObject({ amr: ['pwd'], auth_time: Math.floor(now() / 1000) });
    });

    it('never accepts a code twice, nor an older one', async () => {
      const user = await enrolledUser();
      toStepStart();
      const code = totpCode(user.secret, now());
      const first = await server.execute(VerifyMfaDocument, { challenge: await challengeFor(user.email), code });
      expect(first.errors).toBeUndefined();
      const replay = await server.execute(VerifyMfaDocument, { challenge: await challengeFor(user.email), code });
      expect(reasonOf(replay)).toBe('INVALID_MFA_CODE');
      // The previous step's code is inside the window but older than the one used.
      const older = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        code: totpCode(user.secret, now(), -1),
      });
      expect(reasonOf(older)).toBe('INVALID_MFA_CODE');
    });

    it('accepts the codes of one step either side, at both ends of a step, and not two steps away', async () => {
      // First millisecond of a step: the previous step's code is accepted, the one before is not.
      const a = await enrolledUser();
      toStepStart();
      const twoBack = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(a.email),
        code: totpCode(a.secret, now(), -2),
      });
      expect(reasonOf(twoBack)).toBe('INVALID_MFA_CODE');
      const oneBack = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(a.email),
        code: totpCode(a.secret, now(), -1),
      });
      expect(oneBack.errors).toBeUndefined();

      // Last millisecond of a step: the next step's code is accepted, the one after is not.
      const b = await enrolledUser();
      toStepStart();
      server.clock.advance((STEP_MS - 1) / 1000);
      const twoAhead = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(b.email),
        code: totpCode(b.secret, now(), 2),
      });
      expect(reasonOf(twoAhead)).toBe('INVALID_MFA_CODE');
      const oneAhead = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(b.email),
        code: totpCode(b.secret, now(), 1),
      });
      expect(oneAhead.errors).toBeUndefined();
    });

    it('kills a challenge after 5 wrong codes, and stops the account after 5 in 15 minutes, the right code included', async () => {
      const user = await enrolledUser();
      const challenge = await challengeFor(user.email);
      for (let i = 0; i < 5; i++) {
        const res = await server.execute(VerifyMfaDocument, { challenge, code: wrongTotpCode(user.secret, now()) });
        expect(reasonOf(res)).toBe('INVALID_MFA_CODE');
      }
      const dead = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(user.secret, now()) });
      expect(reasonOf(dead)).toBe('MFA_CHALLENGE_INVALID');

      const stopped = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        code: totpCode(user.secret, now()),
      });
      expect(stopped.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(stopped.status).toBe(429);

      server.clock.advance(15 * 60);
      const after = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        code: totpCode(user.secret, now()),
      });
      expect(after.errors).toBeUndefined();
    });

    it('lets at most 5 of 20 concurrent wrong codes be checked', async () => {
      const user = await enrolledUser();
      const challenges = await Promise.all(Array.from({ length: 4 }, () => challengeFor(user.email)));
      const guesses = wrongTotpCodes(user.secret, now(), 20);
      const results = await Promise.all(
        guesses.map((code, i) => server.execute(VerifyMfaDocument, { challenge: challenges[i % 4]!, code })),
      );
      const reasons = results.map((res) => reasonOf(res) ?? codeOf(res));
      // Counted before the check, atomically: exactly the budget is checked, the rest refused
      // (by the account's limit, or by a challenge that meanwhile took its 5 wrong codes).
      expect(reasons.filter((r) => r === 'INVALID_MFA_CODE')).toHaveLength(5);
      expect(
        reasons.every((r) => ['INVALID_MFA_CODE', 'TOO_MANY_REQUESTS', 'MFA_CHALLENGE_INVALID'].includes(r as string)),
      ).toBe(true);
      const failures = await server.app.services.database.db
        .selectFrom('audit_events')
        .select('id')
        .where('type', '=', 'SECOND_FACTOR_FAILED')
        .where('user_id', '=', user.id)
        .execute();
      expect(failures).toHaveLength(5);
    });

    it('refuses the challenge as an access token (401 TOKEN_INVALID) and as a refresh token', async () => {
      const user = await enrolledUser();
      const challenge = await challengeFor(user.email);
      const asBearer = await server.execute(MeDocument, {}, { token: challenge });
      expect(asBearer.status).toBe(401);
      expect(asBearer.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
      const asBearerOnPublic = await server.execute(
        LoginDocument,
        { email: user.email, password: TEST_PASSWORD },
        { token: challenge },
      );
      expect(asBearerOnPublic.status).toBe(401);
      const asRefresh = await server.execute(RefreshDocument, { refreshToken: challenge });
      expect(reasonOf(asRefresh)).toBe('REFRESH_TOKEN_INVALID');
      const asCookie = await server.execute(
        RefreshDocument,
        {},
        {
          headers: { cookie: `__Host-tollgate-refresh=${challenge}` },
        },
      );
      expect(reasonOf(asCookie)).toBe('REFRESH_TOKEN_INVALID');
      const asReauth = await server.execute(ReauthenticateDocument, { password: TEST_PASSWORD }, { token: challenge });
      expect(asReauth.status).toBe(401);
      // Nor is any other credential a challenge.
      for (const other of [user.accessToken, user.refreshToken, `${challenge}x`, challenge.toUpperCase(), '']) {
        const res = await server.execute(VerifyMfaDocument, { challenge: other, code: totpCode(user.secret, now()) });
        expect(reasonOf(res)).toBe('MFA_CHALLENGE_INVALID');
      }
      // The challenge still works for what it is for.
      const verified = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(user.secret, now()) });
      expect(verified.errors).toBeUndefined();
    });

    it('expires the challenge 5 minutes after login: usable one millisecond before, refused at the instant', async () => {
      const user = await enrolledUser();
      const early = await challengeFor(user.email);
      server.clock.advance(300 - 0.001);
      const inTime = await server.execute(VerifyMfaDocument, { challenge: early, code: totpCode(user.secret, now()) });
      expect(inTime.errors).toBeUndefined();

      server.clock.advance(60);
      const late = await challengeFor(user.email);
      server.clock.advance(300);
      const expired = await server.execute(VerifyMfaDocument, { challenge: late, code: totpCode(user.secret, now()) });
      expect(reasonOf(expired)).toBe('MFA_CHALLENGE_INVALID');
    });

    it('answers in cookie mode when asked, as login does', async () => {
      const user = await enrolledUser();
      const res = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        code: totpCode(user.secret, now()),
        useCookie: true,
      });
      expect(res.data!.verifyMfa.refreshToken).toBeNull();
      expect(res.headers.get('set-cookie')).toMatch(/^__Host-tollgate-refresh=[^;]+;.*HttpOnly/);
    });

    it('uses a challenge once', async () => {
      const user = await enrolledUser();
      const challenge = await challengeFor(user.email);
      const first = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(user.secret, now()) });
      expect(first.errors).toBeUndefined();
      server.clock.advance(30);
      const second = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(user.secret, now()) });
      expect(reasonOf(second)).toBe('MFA_CHALLENGE_INVALID');
    });
  });

  describe('recovery codes', () => {
    it('each works once, typed loosely; the count the user sees goes down', async () => {
      const user = await enrolledUser();
      const [first, second] = user.recoveryCodes as [string, string];
      const loose = ` ${second.toLowerCase().replace('-', ' ')} `;
      const one = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        recoveryCode: first,
      });
      expect(one.errors).toBeUndefined();
      expect(claimsOf(one.data!.verifyMfa.accessToken).amr).toEqual(['pwd', 'otp']);
      const two = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        recoveryCode: loose,
      });
      expect(two.errors).toBeUndefined();
      const again = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        recoveryCode: first,
      });
      expect(reasonOf(again)).toBe('INVALID_MFA_CODE');
      const status = await server.execute(MyTwoFactorDocument, {}, { token: two.data!.verifyMfa.accessToken });
      expect(status.data!.me!.twoFactor).toEqual({ enabled: true, recoveryCodesLeft: 8 });

      const audit = await server.execute(
        AuditEventsDocument,
        { userId: user.id, first: 50 },
        { token: await adminToken() },
      );
      const used = audit.data!.auditEvents.edges.filter((e) => e.node.type === 'RECOVERY_CODE_USED');
      expect(used.map((e) => JSON.parse(e.node.details as string) as unknown)).toEqual(
        expect.arrayContaining([{ recoveryCodesLeft: 9 }, { recoveryCodesLeft: 8 }]),
      );
    });

    it('opens one session for 20 concurrent uses of one code', async () => {
      const user = await enrolledUser();
      const code = user.recoveryCodes[0]!;
      const challenges: string[] = [];
      for (let i = 0; i < 20; i++) challenges.push(await challengeFor(user.email));
      const sessionsBefore = await server.countRows('sessions');
      // Counted before the check: most of the 20 are refused by the account's limit, the rest race.
      const results = await Promise.all(
        challenges.map((challenge) => server.execute(VerifyMfaDocument, { challenge, recoveryCode: code })),
      );
      expect(results.filter((res) => res.data?.verifyMfa).length).toBe(1);
      expect(await server.countRows('sessions')).toBe(sessionsBefore + 1);
    });

    it('can be replaced with the password and a code: the old ones stop working, the new ones work', async () => {
      const user = await enrolledUser();
      const login = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        recoveryCode: user.recoveryCodes[0]!,
      });
      const token = login.data!.verifyMfa.accessToken;
      const regenerated = await server.execute(
        RegenerateRecoveryCodesDocument,
        { currentPassword: TEST_PASSWORD, code: totpCode(user.secret, now()) },
        { token },
      );
      const codes = regenerated.data!.regenerateRecoveryCodes.codes;
      expect(codes).toHaveLength(10);
      expect(codes.some((code) => user.recoveryCodes.includes(code))).toBe(false);
      const old = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        recoveryCode: user.recoveryCodes[1]!,
      });
      expect(reasonOf(old)).toBe('INVALID_MFA_CODE');
      const fresh = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        recoveryCode: codes[0]!,
      });
      expect(fresh.errors).toBeUndefined();
      const status = await server.execute(MyTwoFactorDocument, {}, { token });
      expect(status.data!.me!.twoFactor).toEqual({ enabled: true, recoveryCodesLeft: 9 });
    });

    it('are the user’s own to count: another user gets null and FORBIDDEN, an ADMIN sees them', async () => {
      const user = await enrolledUser();
      const stranger = await signInVerified(server, `2fa-${++n}@example.com`);
      const denied = await server.execute(UserTwoFactorDocument, { id: user.id }, { token: stranger.accessToken });
      expect(denied.data!.user!.twoFactor).toBeNull();
      expect(codeOf(denied)).toBe('FORBIDDEN');
      const asAdmin = await server.execute(UserTwoFactorDocument, { id: user.id }, { token: await adminToken() });
      expect(asAdmin.data!.user!.twoFactor).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    });
  });

  it('answers a page of users with each one’s status (read in one batch)', async () => {
    const on = await enrolledUser();
    const off = await signInVerified(server, `2fa-${++n}@example.com`);
    const spent = await server.execute(VerifyMfaDocument, {
      challenge: await challengeFor(on.email),
      recoveryCode: on.recoveryCodes[3]!,
    });
    expect(spent.errors).toBeUndefined();
    const page = await server.execute(UsersTwoFactorDocument, { first: 100 }, { token: await adminToken() });
    const byId = new Map(page.data!.users.edges.map((edge) => [edge.node.id, edge.node.twoFactor]));
    expect(byId.get(on.id)).toEqual({ enabled: true, recoveryCodesLeft: 9 });
    expect(byId.get(off.id)).toEqual({ enabled: false, recoveryCodesLeft: 0 });
  });

  it('housekeeping removes expired challenges and enrolments never confirmed, and nothing else', async () => {
    const db = server.app.services.database.db;
    const user = await enrolledUser();
    const pendingUser = await signInVerified(server, `2fa-${++n}@example.com`);
    await server.execute(
      StartTotpEnrollmentDocument,
      { currentPassword: TEST_PASSWORD },
      { token: pendingUser.accessToken },
    );
    await challengeFor(user.email);
    server.clock.advance(600);
    await server.app.services.housekeeping.purge();
    const challenges = await db.selectFrom('mfa_challenges').select('user_id').where('user_id', '=', user.id).execute();
    expect(challenges).toEqual([]);
    const authenticators = await db
      .selectFrom('totp_authenticators')
      .select('user_id')
      .where('user_id', 'in', [user.id, pendingUser.id])
      .execute();
    expect(authenticators.map((row) => row.user_id)).toEqual([user.id]);
  });

  describe('turning it off', () => {
    it('disableTotp takes the password and a current code in the call, however old the login', async () => {
      const user = await enrolledUser();
      const login = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        code: totpCode(user.secret, now()),
      });
      const token = login.data!.verifyMfa.accessToken;
      server.clock.advance(11 * 60);
      const passwordOnly = await server.execute(DisableTotpDocument, { currentPassword: TEST_PASSWORD }, { token });
      expect(passwordOnly.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
      const disabled = await server.execute(
        DisableTotpDocument,
        { currentPassword: TEST_PASSWORD, code: totpCode(user.secret, now()) },
        { token },
      );
      expect(disabled.errors).toBeUndefined();
      expect(disabled.data!.disableTotp).toBe(true);
      const loginAgain = await server.execute(LoginDocument, { email: user.email, password: TEST_PASSWORD });
      expect(loginAgain.errors).toBeUndefined();
      expect(claimsOf(loginAgain.data!.login.accessToken).amr).toEqual(['pwd']);
      // Off already: false, asking nothing.
      const again = await server.execute(
        DisableTotpDocument,
        { currentPassword: 'whatever' },
        { token: loginAgain.data!.login.accessToken },
      );
      expect(again.data!.disableTotp).toBe(false);
    });

    it('an ADMIN resets a user’s second factor: audited, every session of the user ends, login asks the password only', async () => {
      const user = await enrolledUser();
      const notAdmin = await server.execute(
        ResetUserTwoFactorDocument,
        { userId: user.id },
        { token: user.accessToken },
      );
      expect(codeOf(notAdmin)).toBe('FORBIDDEN');
      const asAdmin = { token: await adminToken() };
      const reset = await server.execute(ResetUserTwoFactorDocument, { userId: user.id }, asAdmin);
      expect(reset.data!.resetUserTwoFactor).toBe(true);
      const old = await server.execute(MeDocument, {}, { token: user.accessToken });
      expect(old.status).toBe(401);
      expect(reasonOf(old)).toBe('TOKEN_REVOKED');
      const refresh = await server.execute(RefreshDocument, { refreshToken: user.refreshToken });
      expect(codeOf(refresh)).toBe('UNAUTHENTICATED');
      const login = await server.execute(LoginDocument, { email: user.email, password: TEST_PASSWORD });
      expect(login.errors).toBeUndefined();
      const audit = await server.execute(AuditEventsDocument, { userId: user.id, first: 20 }, asAdmin);
      const event = audit.data!.auditEvents.edges.find((e) => e.node.type === 'TWO_FACTOR_RESET')!.node;
      expect(event).toMatchObject({ userId: user.id, actorId: admin.id });
      expect(JSON.parse(event.details as string)).toEqual({ sessionsEnded: 1 });
      const none = await server.execute(ResetUserTwoFactorDocument, { userId: user.id }, asAdmin);
      expect(none.data!.resetUserTwoFactor).toBe(false);
      const unknown = await server.execute(ResetUserTwoFactorDocument, { userId: 'no-such-user' }, asAdmin);
      expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    });
  });
});

/** RFC 4648 base32, for comparing the shown secret with what is stored. */
function base32Decode(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}
