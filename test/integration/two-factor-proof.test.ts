import { Role } from '../../src/auth/roles';
import type { TwoFactorRepository } from '../../src/modules/two-factor/two-factor.repository';
import {
  ConfirmTotpEnrollmentDocument,
  DisableTotpDocument,
  LoginDocument,
  MyTwoFactorDocument,
  ReauthenticateDocument,
  RegenerateRecoveryCodesDocument,
  ResetUserTwoFactorDocument,
  StartTotpEnrollmentDocument,
  VerifyMfaDocument,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { markEmailVerified, signInVerified } from '../helpers/verified-email';
import { SmtpInbox, mailEnv } from '../helpers/smtp-inbox';
import {
  TEST_PASSWORD,
  startTestServer,
  type GraphQLResponse,
  type SignedIn,
  type TestServer,
} from '../helpers/test-server';
import { enrolTotp, totpCode, wrongTotpCode, type Enrolled } from '../helpers/two-factor';

const WRONG_PASSWORDS = ['', 'not the password', `${TEST_PASSWORD} `, 'x'.repeat(5000)];

describeEachDatabase(
  'two-factor: changes proven in the call itself, replays, and login’s all-or-nothing step',
  (dialect) => {
    let inbox: SmtpInbox;
    let server: TestServer;
    beforeAll(async () => {
      inbox = await SmtpInbox.start();
      server = await startTestServer(dialect, { env: mailEnv(inbox) });
      await server.createUser('proof-admin@example.com', [Role.ADMIN]);
    });
    afterAll(async () => {
      await server.close();
      await inbox.close();
    });

    let n = 0;
    const now = () => server.clock.now();
    const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
    const db = () => server.app.services.database.db;

    async function enrolledUser(): Promise<SignedIn & Enrolled & { email: string }> {
      const email = `proof-${++n}@example.com`;
      const signedIn = await signInVerified(server, email);
      return { ...signedIn, ...(await enrolTotp(server, signedIn.accessToken)), email };
    }

    async function challengeFor(email: string): Promise<string> {
      const res = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });
      return (res.errors![0]!.extensions!.mfa as { challenge: string }).challenge;
    }

    /** What a thief holds: an access token from a login that proved both factors a moment ago. */
    async function freshMfaToken(user: Enrolled & { email: string }): Promise<string> {
      const res = await server.execute(VerifyMfaDocument, {
        challenge: await challengeFor(user.email),
        recoveryCode: user.recoveryCodes[9]!,
      });
      return res.data!.verifyMfa.accessToken;
    }

    async function statusOf(token: string) {
      return (await server.execute(MyTwoFactorDocument, {}, { token })).data!.me!.twoFactor;
    }

    describe('pre-hijack: an account whose address is not verified', () => {
      const NOT_VERIFIED = {
        message: 'Confirm your email address with the link we sent first.',
        extensions: { code: 'BAD_USER_INPUT', field: 'email', reason: 'EMAIL_NOT_VERIFIED' },
      };
      const authenticators = (userId: string) =>
        db().selectFrom('totp_authenticators').select('user_id').where('user_id', '=', userId).execute();

      // Whoever signed up with someone else's address would lock its owner out after the
      // owner recovers the account by password reset.
      it('cannot start an enrolment, even with the right password, and nothing is stored or counted', async () => {
        const user = await server.signIn(`proof-${++n}@example.com`);
        const res = await server.execute(
          StartTotpEnrollmentDocument,
          { currentPassword: TEST_PASSWORD },
          { token: user.accessToken },
        );
        expect(res.data ?? null).toBeNull();
        expect(res.errors?.[0]).toMatchObject(NOT_VERIFIED);
        expect(await authenticators(user.id)).toEqual([]);
        const failures = await db()
          .selectFrom('audit_events')
          .select('type')
          .where('user_id', '=', user.id)
          .where('type', '=', 'REAUTHENTICATION_FAILED')
          .execute();
        expect(failures).toEqual([]);
      });

      it('cannot confirm an enrolment started before the address was unverified', async () => {
        const user = await signInVerified(server, `proof-${++n}@example.com`);
        const token = { token: user.accessToken };
        const started = await server.execute(StartTotpEnrollmentDocument, { currentPassword: TEST_PASSWORD }, token);
        const { secret } = started.data!.startTotpEnrollment;
        await db().updateTable('users').set({ email_verified_at: null }).where('id', '=', user.id).execute();
        const confirmed = await server.execute(ConfirmTotpEnrollmentDocument, { code: totpCode(secret, now()) }, token);
        expect(confirmed.errors?.[0]).toMatchObject(NOT_VERIFIED);
        expect((await statusOf(user.accessToken))?.enabled).toBe(false);
      });

      it('can enrol once the address is verified', async () => {
        const user = await server.signIn(`proof-${++n}@example.com`);
        await markEmailVerified(server, user.id);
        const started = await server.execute(
          StartTotpEnrollmentDocument,
          { currentPassword: TEST_PASSWORD },
          { token: user.accessToken },
        );
        expect(started.errors).toBeUndefined();
      });
    });

    describe('a stolen access token, minutes after the owner’s login', () => {
      it('cannot start an enrolment without the current password, and nothing is stored', async () => {
        const user = await signInVerified(server, `proof-${++n}@example.com`);
        const token = { token: user.accessToken };
        for (const currentPassword of WRONG_PASSWORDS) {
          const res = await server.execute(StartTotpEnrollmentDocument, { currentPassword }, token);
          expect(res.data ?? null).toBeNull();
          expect(extensionsOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
        }
        const stored = await db().selectFrom('totp_authenticators').select('user_id').where('user_id', '=', user.id);
        expect(await stored.execute()).toEqual([]);
        const started = await server.execute(StartTotpEnrollmentDocument, { currentPassword: TEST_PASSWORD }, token);
        expect(started.data!.startTotpEnrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
      });

      it.each([
        ['regenerateRecoveryCodes', RegenerateRecoveryCodesDocument],
        ['disableTotp', DisableTotpDocument],
      ] as const)('cannot %s without the password and a current code; nothing changes', async (_name, document) => {
        const user = await enrolledUser();
        const token = await freshMfaToken(user);
        const attempt = (variables: { currentPassword: string; code?: string; recoveryCode?: string }) =>
          server.execute(document as typeof DisableTotpDocument, variables, { token });

        const noCode = await attempt({ currentPassword: TEST_PASSWORD });
        expect(extensionsOf(noCode)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
        const code = totpCode(user.secret, now());
        const wrongPassword = await attempt({ currentPassword: 'not the password', code });
        expect(extensionsOf(wrongPassword)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
        const wrongCode = await attempt({ currentPassword: TEST_PASSWORD, code: wrongTotpCode(user.secret, now()) });
        expect(extensionsOf(wrongCode)).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: 'code',
          reason: 'INVALID_MFA_CODE',
        });
        const spentCode = await attempt({ currentPassword: TEST_PASSWORD, recoveryCode: user.recoveryCodes[9]! });
        expect(extensionsOf(spentCode)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
        expect(await statusOf(token)).toEqual({ enabled: true, recoveryCodesLeft: 9 });

        // The code a wrong password came with was not spent: the owner's next try with it goes through.
        const proven = await attempt({ currentPassword: TEST_PASSWORD, code });
        expect(proven.errors).toBeUndefined();
      });

      it('is not asked for a recent login either: the proof in the call is enough 11 minutes on', async () => {
        const user = await enrolledUser();
        const token = await freshMfaToken(user);
        server.clock.advance(11 * 60);
        const res = await server.execute(
          RegenerateRecoveryCodesDocument,
          { currentPassword: TEST_PASSWORD, code: totpCode(user.secret, now()) },
          { token },
        );
        expect(res.errors).toBeUndefined();
        expect(res.data!.regenerateRecoveryCodes.codes).toHaveLength(10);
      });
    });

    it('counts wrong passwords given to these changes against reauthenticate’s budget', async () => {
      const user = await signInVerified(server, `proof-${++n}@example.com`);
      const token = { token: user.accessToken };
      for (let i = 0; i < 5; i++) {
        const res = await server.execute(StartTotpEnrollmentDocument, { currentPassword: `wrong ${i}` }, token);
        expect(extensionsOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
      }
      const stopped = await server.execute(ReauthenticateDocument, { password: TEST_PASSWORD }, token);
      expect(extensionsOf(stopped)).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      const alsoStopped = await server.execute(StartTotpEnrollmentDocument, { currentPassword: TEST_PASSWORD }, token);
      expect(extensionsOf(alsoStopped)).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      // The window ends.
      server.clock.advance(15 * 60);
      const again = await server.execute(StartTotpEnrollmentDocument, { currentPassword: TEST_PASSWORD }, token);
      expect(again.errors).toBeUndefined();
    });

    it('lets at most 5 of 20 concurrent wrong passwords be tried, and changes nothing', async () => {
      const user = await enrolledUser();
      const token = { token: user.accessToken };
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          server.execute(
            DisableTotpDocument,
            { currentPassword: `wrong ${i}`, code: totpCode(user.secret, now()) },
            token,
          ),
        ),
      );
      const codes = results.map((res) => extensionsOf(res)?.code);
      expect(codes.filter((code) => code === 'BAD_USER_INPUT').length).toBeLessThanOrEqual(5);
      expect(codes.filter((code) => code !== 'BAD_USER_INPUT').every((code) => code === 'TOO_MANY_REQUESTS')).toBe(
        true,
      );
      expect(await statusOf(user.accessToken)).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    });

    it('tells the owner by mail when two-factor goes on, gets new codes, goes off, or is reset by an ADMIN', async () => {
      const user = await enrolledUser();
      const on = await inbox.waitFor(user.email, /^Two-factor authentication was turned on$/);
      const token = await freshMfaToken(user);
      const regenerated = await server.execute(
        RegenerateRecoveryCodesDocument,
        { currentPassword: TEST_PASSWORD, code: totpCode(user.secret, now()) },
        { token },
      );
      const codes = regenerated.data!.regenerateRecoveryCodes.codes;
      const renewed = await inbox.waitFor(user.email, /^New recovery codes were made$/);
      server.clock.advance(30);
      const off = await server.execute(
        DisableTotpDocument,
        { currentPassword: TEST_PASSWORD, code: totpCode(user.secret, now()) },
        { token },
      );
      expect(off.data!.disableTotp).toBe(true);
      const disabled = await inbox.waitFor(user.email, /^Two-factor authentication was turned off$/);
      // No secret, code or password ever travels by mail.
      for (const mail of [on, renewed, disabled]) {
        const body = mail.text + mail.html;
        for (const secret of [user.secret, TEST_PASSWORD, ...user.recoveryCodes, ...codes]) {
          expect(body).not.toContain(secret);
        }
      }

      const again = await enrolTotp(
        server,
        (await server.execute(LoginDocument, { email: user.email, password: TEST_PASSWORD })).data!.login.accessToken,
      );
      expect(again.secret).not.toBe(user.secret);
      const adminToken = (
        await server.execute(LoginDocument, { email: 'proof-admin@example.com', password: TEST_PASSWORD })
      ).data!.login.accessToken;
      const reset = await server.execute(ResetUserTwoFactorDocument, { userId: user.id }, { token: adminToken });
      expect(reset.data!.resetUserTwoFactor).toBe(true);
      await inbox.waitFor(user.email, /^Two-factor authentication was reset$/);
      await server.app.services.mailer.idle();
      expect(inbox.to('proof-admin@example.com')).toHaveLength(0);
    });

    describe('a right code for a step already accepted (a double submit)', () => {
      it('is refused at verifyMfa without wearing out the challenge or the account’s budget', async () => {
        const user = await enrolledUser();
        const code = totpCode(user.secret, now());
        const first = await server.execute(VerifyMfaDocument, { challenge: await challengeFor(user.email), code });
        expect(first.errors).toBeUndefined();
        const challenge = await challengeFor(user.email);
        // More replays than the challenge (5) or the account (5) would take wrong codes.
        for (let i = 0; i < 7; i++) {
          const replay = await server.execute(VerifyMfaDocument, { challenge, code });
          expect(extensionsOf(replay)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_MFA_CODE' });
        }
        const failures = await db()
          .selectFrom('mfa_challenges')
          .select('failures')
          .where('user_id', '=', user.id)
          .where('used_at', 'is', null)
          .executeTakeFirstOrThrow();
        expect(Number(failures.failures)).toBe(0);
        server.clock.advance(30);
        const next = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(user.secret, now()) });
        expect(next.errors).toBeUndefined();
      });

      it('opens one session for two concurrent submits of one code, and counts the other as no guess', async () => {
        const user = await enrolledUser();
        const code = totpCode(user.secret, now());
        const challenges = [await challengeFor(user.email), await challengeFor(user.email)];
        const results = await Promise.all(
          challenges.map((challenge) => server.execute(VerifyMfaDocument, { challenge, code })),
        );
        expect(results.filter((res) => res.data?.verifyMfa).length).toBe(1);
        const refused = results.find((res) => !res.data?.verifyMfa)!;
        expect(extensionsOf(refused)).toMatchObject({ reason: 'INVALID_MFA_CODE' });
        const rows = await db()
          .selectFrom('mfa_challenges')
          .select('failures')
          .where('user_id', '=', user.id)
          .execute();
        expect(rows.map((row) => Number(row.failures))).toEqual([0, 0]);
      });

      it('is refused at reauthenticate without spending its budget; a wrong code still counts', async () => {
        const user = await enrolledUser();
        const token = { token: user.accessToken };
        const code = totpCode(user.secret, now());
        const first = await server.execute(ReauthenticateDocument, { password: TEST_PASSWORD, code }, token);
        expect(first.errors).toBeUndefined();
        for (let i = 0; i < 7; i++) {
          const replay = await server.execute(ReauthenticateDocument, { password: TEST_PASSWORD, code }, token);
          expect(extensionsOf(replay)).toMatchObject({
            code: 'BAD_USER_INPUT',
            field: 'code',
            reason: 'INVALID_MFA_CODE',
          });
          expect(replay.errors![0]!.message).toMatch(/already used/);
        }
        // The step before, also spent (the window holds it), is a replay too.
        const older = await server.execute(
          ReauthenticateDocument,
          { password: TEST_PASSWORD, code: totpCode(user.secret, now(), -1) },
          token,
        );
        expect(older.errors![0]!.message).toMatch(/already used/);
        server.clock.advance(30);
        const next = await server.execute(
          ReauthenticateDocument,
          { password: TEST_PASSWORD, code: totpCode(user.secret, now()) },
          token,
        );
        expect(next.errors).toBeUndefined();
        const wrong = await server.execute(
          ReauthenticateDocument,
          { password: TEST_PASSWORD, code: wrongTotpCode(user.secret, now()) },
          token,
        );
        expect(wrong.errors![0]!.message).toBe('The code is incorrect.');
      });
    });

    describe('verifyMfa spends the challenge and the factor together', () => {
      /**
       * Another request spends the challenge right after this one read it (the window between
       * the check and the write, made deterministic): the factor this one brought must stay unspent.
       */
      function challengeTakenMeanwhile(): jest.SpyInstance {
        const repository = (server.app.services.twoFactor as unknown as { deps: { repository: TwoFactorRepository } })
          .deps.repository;
        const read = repository.findChallenge.bind(repository);
        return jest.spyOn(repository, 'findChallenge').mockImplementationOnce(async (hash) => {
          const found = await read(hash);
          await db().updateTable('mfa_challenges').set({ used_at: now() }).where('token_hash', '=', hash).execute();
          return found;
        });
      }

      it.each(['code', 'recoveryCode'] as const)(
        'leaves the %s unspent when the challenge dies meanwhile',
        async (kind) => {
          const user = await enrolledUser();
          const factor =
            kind === 'code' ? { code: totpCode(user.secret, now()) } : { recoveryCode: user.recoveryCodes[0]! };
          const spy = challengeTakenMeanwhile();
          try {
            const lost = await server.execute(VerifyMfaDocument, {
              challenge: await challengeFor(user.email),
              ...factor,
            });
            expect(extensionsOf(lost)).toMatchObject({ reason: 'MFA_CHALLENGE_INVALID' });
            expect(spy).toHaveBeenCalledTimes(1);
          } finally {
            spy.mockRestore();
          }
          const retried = await server.execute(VerifyMfaDocument, {
            challenge: await challengeFor(user.email),
            ...factor,
          });
          expect(retried.errors).toBeUndefined();
          expect(await statusOf(retried.data!.verifyMfa.accessToken)).toEqual({
            enabled: true,
            recoveryCodesLeft: kind === 'code' ? 10 : 9,
          });
        },
      );
    });

    it('confirms an enrolment without a recent login: the enrolment was started with the password', async () => {
      const user = await signInVerified(server, `proof-${++n}@example.com`);
      server.clock.advance(11 * 60);
      const token = { token: user.accessToken };
      const { secret } = (await server.execute(StartTotpEnrollmentDocument, { currentPassword: TEST_PASSWORD }, token))
        .data!.startTotpEnrollment;
      const confirmed = await server.execute(ConfirmTotpEnrollmentDocument, { code: totpCode(secret, now()) }, token);
      expect(confirmed.errors).toBeUndefined();
    });
  },
);
