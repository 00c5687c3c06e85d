import { Role } from '../../src/auth/roles';
import {
  ChangeEmailDocument,
  ChangePasswordDocument,
  LoginDocument,
  ReauthenticateDocument,
  RefreshDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  MyAccountDocument,
  ResendVerificationDocument,
  SignUpDocument,
  UserProfileDocument,
  VerifyEmailDocument,
  VerifyMfaDocument,
} from '../generated/graphql';
import { createCountingHasher, type CountingHasher } from '../helpers/counting-hasher';
import { describeEachDatabase } from '../helpers/databases';
import { SmtpInbox, mailEnv, tokenFromMail, type ReceivedMail } from '../helpers/smtp-inbox';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';
import { expectMediansWithinNoise, interleavedTimings } from '../helpers/timing';
import { enrolTotp, totpCode } from '../helpers/two-factor';

const VERIFY_SUBJECT = /^Confirm your email address$/;
const CHANGE_SUBJECT = /^Confirm your new email address$/;
const RESET_SUBJECT = /^Reset your password$/;
const NOTICE_SUBJECT = /change of your email address/;
const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
const LINK_INVALID = { code: 'BAD_USER_INPUT', field: 'token', reason: 'EMAIL_TOKEN_INVALID' };
const RESEND_QUERY = 'mutation ($email: String!) { resendVerification(email: $email) }';

describeEachDatabase('email verification', (dialect) => {
  let inbox: SmtpInbox;
  let server: TestServer;
  let argon2: CountingHasher;
  let n = 0;
  const nextEmail = () => `verify${++n}@example.com`;

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    argon2 = await createCountingHasher();
    server = await startTestServer(dialect, {
      passwordHasher: argon2.hasher,
      env: {
        ...mailEnv(inbox),
        VERIFICATION_RESEND_MAX_PER_EMAIL: '1000',
        VERIFICATION_RESEND_MAX_PER_IP: '100000',
        SIGNUP_MAX_PER_IP: '100000',
        CHANGE_EMAIL_MAX_PER_USER: '1000',
        CHANGE_EMAIL_MAX_PER_IP: '100000',
        PASSWORD_RESET_MAX_PER_EMAIL: '1000',
        PASSWORD_RESET_MAX_PER_IP: '100000',
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await inbox.close();
  });

  const signUp = async (email: string) => {
    const res = await server.execute(SignUpDocument, { input: { email, password: TEST_PASSWORD, displayName: 'Ann' } });
    if (!res.data) throw new Error(`sign-up failed: ${JSON.stringify(res.errors)}`);
    return res.data.signUp;
  };
  const verify = (token: string) => server.execute(VerifyEmailDocument, { token });
  const myAccount = async (accessToken: string) =>
    (await server.execute(MyAccountDocument, {}, { token: accessToken })).data!.me!;
  const verificationToken = async (email: string, nth = 1) =>
    tokenFromMail(await inbox.waitFor(email, VERIFY_SUBJECT, nth), 'verify-email');
  const verifiedAt = async (email: string) =>
    (
      await server.app.services.database.db
        .selectFrom('users')
        .select('email_verified_at')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).email_verified_at;

  it('sign-up mails a link; following it verifies the address', async () => {
    const email = nextEmail();
    const payload = await signUp(email);
    expect(await myAccount(payload.accessToken)).toMatchObject({ email, emailVerified: false });
    const mail = await inbox.waitFor(email, VERIFY_SUBJECT);
    const token = tokenFromMail(mail, 'verify-email');
    expect(mail.text).toContain(`https://app.tollgate.test/verify-email#token=${token}`);
    // No user-chosen text (the display name) in mail to an address nobody has proven yet.
    expect(mail.text).not.toContain('Ann');
    expect(mail.html).not.toContain('Ann');

    expect(await verify(token)).toMatchObject({ status: 200, data: { verifyEmail: true } });
    expect(await myAccount(payload.accessToken)).toMatchObject({ email, emailVerified: true });
    const events = await server.app.services.database.db
      .selectFrom('audit_events')
      .select('type')
      .where('user_id', '=', payload.user.id)
      .execute();
    expect(events.map((event) => event.type)).toContain('EMAIL_VERIFIED');
  });

  it('works once: following the link again is refused', async () => {
    const email = nextEmail();
    await signUp(email);
    const token = await verificationToken(email);
    expect((await verify(token)).errors).toBeUndefined();
    const at = await verifiedAt(email);
    expect(extensionsOf(await verify(token))).toEqual(LINK_INVALID);
    expect(await verifiedAt(email)).toBe(at);
  });

  it('works until one millisecond before 24 hours, and not from 24 hours on', async () => {
    const early = nextEmail();
    const late = nextEmail();
    await signUp(early);
    await signUp(late);
    const [earlyToken, lateToken] = [await verificationToken(early), await verificationToken(late)];
    server.clock.advance(24 * 3600 - 1);
    server.clock.advance(0.999);
    expect((await verify(earlyToken)).errors).toBeUndefined();
    server.clock.advance(0.001);
    expect(extensionsOf(await verify(lateToken))).toEqual(LINK_INVALID);
    expect(await verifiedAt(late)).toBeNull();
  });

  it('refuses guessed and malformed tokens with one answer, changing nothing', async () => {
    const email = nextEmail();
    await signUp(email);
    const real = await verificationToken(email);
    const flipped = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
    for (const token of ['', 'x', 'A'.repeat(43), 'A'.repeat(44), 'a'.repeat(10_000), "' OR 1=1 --", flipped]) {
      const res = await verify(token);
      expect(res.data).toBeNull();
      expect(extensionsOf(res)).toEqual(LINK_INVALID);
    }
    expect(await verifiedAt(email)).toBeNull();
    expect((await verify(real)).errors).toBeUndefined();
  });

  it('a reset token is no verification token, and the other way round', async () => {
    const email = nextEmail();
    await signUp(email);
    const token = await verificationToken(email);
    const reset = await server.post({
      query: 'mutation ($t: String!) { resetPassword(token: $t, newPassword: "another passphrase") }',
      variables: { t: token },
    });
    expect(((await reset.json()) as { errors: Array<{ extensions: unknown }> }).errors[0]!.extensions).toEqual(
      LINK_INVALID,
    );
    expect((await verify(token)).errors).toBeUndefined();
  });

  describe('resendVerification', () => {
    it('answers an unknown, a verified and an unverified address identically, and mails only the unverified one', async () => {
      const unverified = nextEmail();
      const verified = nextEmail();
      const unknown = nextEmail();
      await signUp(unverified);
      await signUp(verified);
      await verify(await verificationToken(verified));
      const answers = [];
      const hashed = argon2.calls;
      for (const email of [unknown, verified, unverified]) {
        const response = await server.post({ query: RESEND_QUERY, variables: { email } });
        answers.push({ status: response.status, body: await response.text() });
      }
      // No argon2 on this path, for any of them.
      expect(argon2.calls).toBe(hashed);
      expect(answers[0]).toEqual({ status: 200, body: '{"data":{"resendVerification":true}}\n' });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      await server.app.services.mailer.idle();
      expect(inbox.to(unverified)).toHaveLength(2);
      expect(inbox.to(verified)).toHaveLength(1);
      expect(inbox.to(unknown)).toHaveLength(0);
      // Either link verifies (the first was not used up by sending a second).
      expect((await verify(await verificationToken(unverified, 2))).errors).toBeUndefined();
    });

    it('takes as long for an unknown address as for an unverified account (medians of 50 tries each)', async () => {
      const unverified = nextEmail();
      await signUp(unverified);
      const unknown = nextEmail();
      const resend = (email: string) => () => server.execute(ResendVerificationDocument, { email });
      const timings = await interleavedTimings(50, [resend(unverified), resend(unknown)]);
      // Both paths run the same statements and hash nothing; see expectMediansWithinNoise for the bound.
      expectMediansWithinNoise(timings[0]!, timings[1]!);
      await server.app.services.mailer.idle();
      expect(inbox.to(unknown)).toHaveLength(0);
    });
  });

  describe('User.emailVerified', () => {
    it('is readable by the user and by an ADMIN, not by another user', async () => {
      const email = nextEmail();
      const owner = await signUp(email);
      const admin = await server.signIn(nextEmail(), [Role.ADMIN]);
      const stranger = await server.signIn(nextEmail());
      const read = (token: string) => server.execute(UserProfileDocument, { id: owner.user.id }, { token });
      expect(await myAccount(owner.accessToken)).toMatchObject({ emailVerified: false });
      expect((await read(admin.accessToken)).data?.user).toBeTruthy();
      const asAdmin = await server.post(
        { query: 'query ($id: ID!) { user(id: $id) { emailVerified } }', variables: { id: owner.user.id } },
        { authorization: `Bearer ${admin.accessToken}` },
      );
      expect(await asAdmin.json()).toEqual({ data: { user: { emailVerified: false } } });
      const asStranger = await server.post(
        { query: 'query ($id: ID!) { user(id: $id) { emailVerified } }', variables: { id: owner.user.id } },
        { authorization: `Bearer ${stranger.accessToken}` },
      );
      const body = (await asStranger.json()) as { data: unknown; errors: Array<{ extensions: { code: string } }> };
      expect(body.data).toEqual({ user: { emailVerified: null } });
      expect(body.errors[0]!.extensions.code).toBe('FORBIDDEN');
    });
  });

  describe('changeEmail', () => {
    const changeEmail = (accessToken: string, newEmail: string, currentPassword = TEST_PASSWORD) =>
      server.execute(ChangeEmailDocument, { newEmail, currentPassword }, { token: accessToken });
    const login = (email: string) => server.execute(LoginDocument, { email, password: TEST_PASSWORD });

    it('mails a link to the new address, tells the old one, and changes nothing until it is followed', async () => {
      const old = nextEmail();
      const fresh = nextEmail();
      const account = await signUp(old);
      await verify(await verificationToken(old));
      expect(await changeEmail(account.accessToken, fresh)).toMatchObject({ data: { changeEmail: true } });

      const notice = await inbox.waitFor(old, NOTICE_SUBJECT);
      // The new address is the requester's choice: not quoted to the owner of the old one.
      expect(notice.text).not.toContain(fresh);
      expect(notice.html).not.toContain(fresh);
      expect(notice.text).not.toMatch(/#token=/);
      expect(await myAccount(account.accessToken)).toMatchObject({ email: old, emailVerified: true });
      expect((await login(old)).errors).toBeUndefined();

      const token = tokenFromMail(await inbox.waitFor(fresh, CHANGE_SUBJECT), 'verify-email');
      expect((await verify(token)).errors).toBeUndefined();
      expect(await myAccount(account.accessToken)).toMatchObject({ email: fresh, emailVerified: true });
      expect(extensionsOf(await login(old))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
      expect((await login(fresh)).errors).toBeUndefined();
      expect(extensionsOf(await verify(token))).toEqual(LINK_INVALID);
    });

    it('needs the current password: a wrong one changes and sends nothing', async () => {
      const old = nextEmail();
      const fresh = nextEmail();
      const account = await signUp(old);
      await inbox.waitFor(old, VERIFY_SUBJECT);
      const res = await changeEmail(account.accessToken, fresh, 'not my password');
      expect(extensionsOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
      await server.app.services.mailer.idle();
      expect(inbox.to(fresh)).toHaveLength(0);
      expect(inbox.to(old)).toHaveLength(1);
    });

    it('refuses the change when another account took the address before the link was followed', async () => {
      const old = nextEmail();
      const contested = nextEmail();
      const account = await signUp(old);
      await changeEmail(account.accessToken, contested);
      const token = tokenFromMail(await inbox.waitFor(contested, CHANGE_SUBJECT), 'verify-email');
      // Meanwhile someone signs up with that address.
      await signUp(contested);
      const res = await verify(token);
      expect(res.data).toBeNull();
      expect(extensionsOf(res)).toEqual({ code: 'BAD_USER_INPUT', field: 'token', reason: 'EMAIL_TAKEN' });
      expect(await myAccount(account.accessToken)).toMatchObject({ email: old });
      expect((await login(old)).errors).toBeUndefined();
    });

    it('answers the same for an address that already has an account, which gets a notice and no link', async () => {
      const old = nextEmail();
      const taken = nextEmail();
      const fresh = nextEmail();
      const account = await signUp(old);
      await signUp(taken);
      await inbox.waitFor(taken, VERIFY_SUBJECT);
      const toTaken = await changeEmail(account.accessToken, taken);
      const toFresh = await changeEmail(account.accessToken, fresh);
      expect(toTaken.data).toEqual(toFresh.data);
      expect(toTaken.errors).toBeUndefined();
      const notice = await inbox.waitFor(taken, /already has an account/);
      expect(notice.text).not.toMatch(/#token=/);
      expect(await myAccount(account.accessToken)).toMatchObject({ email: old });
    });

    it('ends the old address verification link: it verifies only the address it was sent to', async () => {
      const old = nextEmail();
      const fresh = nextEmail();
      const account = await signUp(old);
      const oldToken = await verificationToken(old);
      await changeEmail(account.accessToken, fresh);
      await verify(tokenFromMail(await inbox.waitFor(fresh, CHANGE_SUBJECT), 'verify-email'));
      expect(extensionsOf(await verify(oldToken))).toEqual(LINK_INVALID);
    });

    it('quotes nothing the requester chose in the notice: no text of theirs reaches the owner', async () => {
      const old = nextEmail();
      const account = await signUp(old);
      await verify(await verificationToken(old));
      const injected = `call.5550100.now.${n}@evil-phish.example`;
      expect((await changeEmail(account.accessToken, injected)).errors).toBeUndefined();
      const notice: ReceivedMail = await inbox.waitFor(old, NOTICE_SUBJECT);
      for (const body of [notice.text, notice.html]) {
        expect(body).not.toContain('evil-phish');
        expect(body).not.toContain('5550100');
      }
    });

    it("tells the current address only once it is verified: an unproven one may be a stranger's", async () => {
      const old = nextEmail();
      const fresh = nextEmail();
      const account = await signUp(old);
      await inbox.waitFor(old, VERIFY_SUBJECT);
      expect((await changeEmail(account.accessToken, fresh)).errors).toBeUndefined();
      await inbox.waitFor(fresh, CHANGE_SUBJECT);
      await server.app.services.mailer.idle();
      expect(inbox.to(old).map((mail) => mail.subject)).toEqual(['Confirm your email address']);
    });

    it('keeps one change in flight: a new request replaces the earlier link', async () => {
      const old = nextEmail();
      const first = nextEmail();
      const second = nextEmail();
      const account = await signUp(old);
      await changeEmail(account.accessToken, first);
      await changeEmail(account.accessToken, second);
      const firstToken = tokenFromMail(await inbox.waitFor(first, CHANGE_SUBJECT), 'verify-email');
      const secondToken = tokenFromMail(await inbox.waitFor(second, CHANGE_SUBJECT), 'verify-email');
      expect(extensionsOf(await verify(firstToken))).toEqual(LINK_INVALID);
      expect(await myAccount(account.accessToken)).toMatchObject({ email: old });
      expect((await verify(secondToken)).errors).toBeUndefined();
      expect(await myAccount(account.accessToken)).toMatchObject({ email: second });
    });

    // The review's account takeover (f1.mjs): an attacker signs up with the victim's address,
    // asks for a change to their own, the victim recovers the account by reset; the old link
    // must not move the recovered account to the attacker's address.
    it('a change link dies with a password reset: whoever held the account before cannot take it back', async () => {
      const victim = nextEmail();
      const attackerMailbox = nextEmail();
      const squatted = await signUp(victim);
      expect((await changeEmail(squatted.accessToken, attackerMailbox)).errors).toBeUndefined();
      const changeToken = tokenFromMail(await inbox.waitFor(attackerMailbox, CHANGE_SUBJECT), 'verify-email');

      // The victim cannot sign up (the address is taken) and recovers the account by reset.
      expect((await server.execute(RequestPasswordResetDocument, { email: victim })).errors).toBeUndefined();
      const resetToken = tokenFromMail(await inbox.waitFor(victim, RESET_SUBJECT), 'reset-password');
      const victimPassword = 'victim password 99';
      expect(
        (await server.execute(ResetPasswordDocument, { token: resetToken, newPassword: victimPassword })).errors,
      ).toBeUndefined();
      const victimLogin = await server.execute(LoginDocument, { email: victim, password: victimPassword });
      const victimSession = victimLogin.data!.login;
      expect(
        (
          await server.execute(
            ChangePasswordDocument,
            { currentPassword: victimPassword, newPassword: 'victim password 100' },
            { token: victimSession.accessToken },
          )
        ).errors,
      ).toBeUndefined();

      expect(extensionsOf(await verify(changeToken))).toEqual(LINK_INVALID);
      expect(await myAccount(victimSession.accessToken)).toMatchObject({ email: victim, emailVerified: true });
      // And so the attacker's mailbox gets no reset link for the victim's account.
      await server.execute(RequestPasswordResetDocument, { email: attackerMailbox });
      await server.app.services.mailer.idle();
      expect(inbox.to(attackerMailbox).map((mail) => mail.subject)).toEqual(['Confirm your new email address']);
    });

    it('a change link dies with a password change', async () => {
      const old = nextEmail();
      const fresh = nextEmail();
      const account = await signUp(old);
      await changeEmail(account.accessToken, fresh);
      const token = tokenFromMail(await inbox.waitFor(fresh, CHANGE_SUBJECT), 'verify-email');
      const changed = await server.execute(
        ChangePasswordDocument,
        { currentPassword: TEST_PASSWORD, newPassword: 'another password 1' },
        { token: account.accessToken },
      );
      expect(changed.errors).toBeUndefined();
      expect(extensionsOf(await verify(token))).toEqual(LINK_INVALID);
      expect(await myAccount(account.accessToken)).toMatchObject({ email: old });
    });

    it('a verification link dies with a password change', async () => {
      const email = nextEmail();
      const account = await signUp(email);
      const token = await verificationToken(email);
      await server.execute(
        ChangePasswordDocument,
        { currentPassword: TEST_PASSWORD, newPassword: 'another password 1' },
        { token: account.accessToken },
      );
      expect(extensionsOf(await verify(token))).toEqual(LINK_INVALID);
      expect(await myAccount(account.accessToken)).toMatchObject({ email, emailVerified: false });
    });
    // The review's race-ce.mjs: two change links of one account followed at once deadlocked on
    // PostgreSQL (each took its token's row, then waited for the user's and the other's token).
    // Now the second request replaces the first link, and every use locks users → tokens.
    it('follows two change links of one account at once: the newer one wins, no deadlock', async () => {
      for (let round = 0; round < 5; round++) {
        const account = await signUp(nextEmail());
        const first = nextEmail();
        const second = nextEmail();
        await changeEmail(account.accessToken, first);
        await changeEmail(account.accessToken, second);
        const tokens = await Promise.all(
          [first, second].map(async (to) => tokenFromMail(await inbox.waitFor(to, CHANGE_SUBJECT), 'verify-email')),
        );
        const [older, newer] = await Promise.all(tokens.map((token) => verify(token)));
        expect(extensionsOf(older!)).toEqual(LINK_INVALID);
        expect(newer).toMatchObject({ data: { verifyEmail: true } });
        expect(await myAccount(account.accessToken)).toMatchObject({ email: second });
      }
    });

    // Lock order users → tokens, the same in every transaction that takes both.
    it('follows a verification link and a change link of one account at once, each many times, without a deadlock', async () => {
      for (let round = 0; round < 8; round++) {
        const old = nextEmail();
        const fresh = nextEmail();
        const account = await signUp(old);
        const verifyToken = await verificationToken(old);
        await changeEmail(account.accessToken, fresh);
        const changeToken = tokenFromMail(await inbox.waitFor(fresh, CHANGE_SUBJECT), 'verify-email');
        const answers = await Promise.all(
          [verifyToken, changeToken, verifyToken, changeToken, verifyToken, changeToken].map((token) => verify(token)),
        );
        for (const res of answers) {
          if (res.errors) expect(extensionsOf(res)).toEqual(LINK_INVALID);
        }
        expect(answers.filter((res) => res.data?.verifyEmail === true).length).toBeGreaterThanOrEqual(1);
        expect(await myAccount(account.accessToken)).toMatchObject({ email: fresh, emailVerified: true });
      }
    });
  });
});

describeEachDatabase('REQUIRE_VERIFIED_EMAIL', (dialect) => {
  let inbox: SmtpInbox;
  let server: TestServer;
  let argon2: CountingHasher;
  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    argon2 = await createCountingHasher();
    server = await startTestServer(dialect, {
      env: { ...mailEnv(inbox), REQUIRE_VERIFIED_EMAIL: 'true' },
      passwordHasher: argon2.hasher,
    });
  });
  afterAll(async () => {
    await server.close();
    await inbox.close();
  });
  const login = (email: string, password = TEST_PASSWORD) => server.execute(LoginDocument, { email, password });
  const NOT_VERIFIED = { code: 'UNAUTHENTICATED', reason: 'EMAIL_NOT_VERIFIED' };

  it('sign-up creates the account and mails the link, but opens no session', async () => {
    const sessions = await server.countRows('sessions');
    const res = await server.execute(SignUpDocument, {
      input: { email: 'new@example.com', password: TEST_PASSWORD, displayName: 'New' },
    });
    expect(res.data).toBeNull();
    expect(extensionsOf(res)).toEqual(NOT_VERIFIED);
    expect(await server.countRows('sessions')).toBe(sessions);
    await inbox.waitFor('new@example.com', VERIFY_SUBJECT);
  });

  it('refuses login until verified, saying so only to the right password', async () => {
    await server.createUser('ann@example.com');
    const sessions = await server.countRows('sessions');
    // Each of the three answers below costs exactly one argon2 verify: the same work.
    const verifies = argon2.calls;
    const wrong = await login('ann@example.com', 'wrong password!');
    expect(extensionsOf(wrong)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    // An unknown address answers exactly as a wrong password for a real unverified one.
    expect(await login('nobody@example.com', 'wrong password!')).toEqual({ ...wrong, headers: expect.anything() });
    const right = await login('ann@example.com');
    expect(right.data).toBeNull();
    expect(extensionsOf(right)).toEqual(NOT_VERIFIED);
    expect(argon2.calls).toBe(verifies + 3);
    expect(await server.countRows('sessions')).toBe(sessions);
    // A refused login is no login.
    const row = await server.app.services.database.db
      .selectFrom('users')
      .select('last_login_at')
      .where('email', '=', 'ann@example.com')
      .executeTakeFirstOrThrow();
    expect(row.last_login_at).toBeNull();

    await server.execute(ResendVerificationDocument, { email: 'ann@example.com' });
    const token = tokenFromMail(await inbox.waitFor('ann@example.com', VERIFY_SUBJECT), 'verify-email');
    expect((await server.execute(VerifyEmailDocument, { token })).errors).toBeUndefined();
    expect((await login('ann@example.com')).errors).toBeUndefined();
  });

  // A session opened while the address was verified (or before the flag was turned on) goes no
  // further once it is not: every route to a new token asks, not only login.
  it('refuses refresh and reauthenticate for an unverified account, until it is verified', async () => {
    const { id } = await server.createUser('bob@example.com');
    const setVerifiedAt = (at: number | null) =>
      server.app.services.database.db
        .updateTable('users')
        .set({ email_verified_at: at })
        .where('id', '=', id)
        .execute();
    await setVerifiedAt(server.clock.now());
    const { accessToken, refreshToken } = (await login('bob@example.com')).data!.login;
    await setVerifiedAt(null);
    const refreshed = await server.execute(RefreshDocument, { refreshToken });
    expect(refreshed.data).toBeNull();
    expect(extensionsOf(refreshed)).toEqual(NOT_VERIFIED);
    const reauthenticated = await server.execute(
      ReauthenticateDocument,
      { password: TEST_PASSWORD },
      { token: accessToken },
    );
    expect(reauthenticated.data).toBeNull();
    expect(extensionsOf(reauthenticated)).toEqual(NOT_VERIFIED);

    // The refused refresh used nothing up: the same token works once the address is proven.
    await server.execute(ResendVerificationDocument, { email: 'bob@example.com' });
    const token = tokenFromMail(await inbox.waitFor('bob@example.com', VERIFY_SUBJECT), 'verify-email');
    expect((await server.execute(VerifyEmailDocument, { token })).errors).toBeUndefined();
    expect((await server.execute(RefreshDocument, { refreshToken })).errors).toBeUndefined();
  });

  it('refuses verifyMfa for an account that is not verified by the time the code is given', async () => {
    const { id } = await server.createUser('carol@example.com');
    const setVerifiedAt = (at: number | null) =>
      server.app.services.database.db
        .updateTable('users')
        .set({ email_verified_at: at })
        .where('id', '=', id)
        .execute();
    await setVerifiedAt(server.clock.now());
    const { secret } = await enrolTotp(server, (await login('carol@example.com')).data!.login.accessToken);
    const challenged = await login('carol@example.com');
    const { challenge } = challenged.errors![0]!.extensions!.mfa as { challenge: string };
    await setVerifiedAt(null);
    const sessions = await server.countRows('sessions');
    const res = await server.execute(VerifyMfaDocument, { challenge, code: totpCode(secret, server.clock.now()) });
    expect(res.data).toBeNull();
    expect(extensionsOf(res)).toEqual(NOT_VERIFIED);
    expect(await server.countRows('sessions')).toBe(sessions);
  });
});

describeEachDatabase('email verification: throttling, concurrency, clean-up, turned off', (dialect) => {
  let inbox: SmtpInbox;
  let server: TestServer;
  beforeEach(async () => {
    inbox = await SmtpInbox.start();
    server = await startTestServer(dialect, {
      env: {
        ...mailEnv(inbox),
        VERIFICATION_RESEND_MAX_PER_EMAIL: '2',
        VERIFICATION_RESEND_MAX_PER_IP: '4',
        CHANGE_EMAIL_MAX_PER_USER: '2',
        CHANGE_EMAIL_MAX_PER_IP: '4',
      },
    });
  });
  afterEach(async () => {
    await server.close();
    await inbox.close();
  });
  const resend = (email: string) => server.execute(ResendVerificationDocument, { email });
  const countTokens = async () =>
    Number(
      (
        await server.app.services.database.db
          .selectFrom('account_tokens')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const THROTTLED = { code: 'TOO_MANY_REQUESTS', retryAfter: 3600 };

  it('limits resends per address, known or not, alike', async () => {
    await server.createUser('ann@example.com');
    for (const email of ['ann@example.com', 'nobody@example.com']) {
      for (let i = 0; i < 2; i++) expect((await resend(email)).data).toEqual({ resendVerification: true });
      expect(extensionsOf(await resend(email))).toEqual(THROTTLED);
    }
    await server.app.services.mailer.idle();
    expect(inbox.to('ann@example.com')).toHaveLength(2);
  });

  it('limits resends per client address over every email, until the window ends', async () => {
    await server.createUser('ann@example.com');
    for (let i = 0; i < 4; i++) expect((await resend(`guess${i}@example.com`)).errors).toBeUndefined();
    expect(extensionsOf(await resend('ann@example.com'))).toEqual(THROTTLED);
    server.clock.advance(3600);
    expect((await resend('ann@example.com')).errors).toBeUndefined();
  });

  const changeEmail = (accessToken: string, newEmail: string, currentPassword = TEST_PASSWORD) =>
    server.execute(ChangeEmailDocument, { newEmail, currentPassword }, { token: accessToken });

  it('limits email changes per user, counting every call, wrong password or not', async () => {
    const { accessToken } = await server.signIn('ann@example.com');
    expect((await changeEmail(accessToken, 'a1@example.com', 'not my password')).errors?.[0]?.extensions).toMatchObject(
      {
        field: 'currentPassword',
      },
    );
    expect((await changeEmail(accessToken, 'a2@example.com')).errors).toBeUndefined();
    expect(extensionsOf(await changeEmail(accessToken, 'a3@example.com'))).toEqual(THROTTLED);
    await server.app.services.mailer.idle();
    expect(inbox.to('a3@example.com')).toHaveLength(0);
    server.clock.advance(3600);
    const again = await server.execute(LoginDocument, { email: 'ann@example.com', password: TEST_PASSWORD });
    expect((await changeEmail(again.data!.login.accessToken, 'a3@example.com')).errors).toBeUndefined();
  });

  it('limits email changes per client address over every account', async () => {
    const accounts = await Promise.all(['u1', 'u2'].map((name) => server.signIn(`${name}@example.com`)));
    for (const [i, { accessToken }] of accounts.entries()) {
      for (let k = 0; k < 2; k++)
        expect((await changeEmail(accessToken, `n${i}${k}@example.com`)).errors).toBeUndefined();
    }
    const third = await server.signIn('u3@example.com');
    expect(extensionsOf(await changeEmail(third.accessToken, 'n30@example.com'))).toEqual(THROTTLED);
  });

  // Both paths must write alike: on PostgreSQL a transaction that wrote waits for its WAL
  // flush and one that wrote nothing does not, which timed whether an account exists.
  it('stores a row for an unknown address as for an account, usable by nothing', async () => {
    await server.createUser('ann@example.com');
    await resend('ann@example.com');
    expect(await countTokens()).toBe(1);
    await resend('nobody@example.com');
    expect(await countTokens()).toBe(2);
    const rows = await server.app.services.database.db
      .selectFrom('account_tokens')
      .select(['email', 'user_id'])
      .orderBy('email')
      .execute();
    expect(rows).toEqual([
      { email: 'ann@example.com', user_id: expect.any(String) },
      { email: 'nobody@example.com', user_id: null },
    ]);
  });

  it('lets one of 10 concurrent uses of a change link through', async () => {
    const { accessToken } = await server.signIn('ann@example.com');
    await server.execute(
      ChangeEmailDocument,
      { newEmail: 'ann.new@example.com', currentPassword: TEST_PASSWORD },
      { token: accessToken },
    );
    const token = tokenFromMail(await inbox.waitFor('ann.new@example.com', CHANGE_SUBJECT), 'verify-email');
    const answers = await Promise.all(Array.from({ length: 10 }, () => server.execute(VerifyEmailDocument, { token })));
    expect(answers.filter((res) => res.data?.verifyEmail === true)).toHaveLength(1);
    for (const res of answers.filter((answer) => !answer.data)) expect(extensionsOf(res)).toEqual(LINK_INVALID);
    const events = await server.app.services.database.db
      .selectFrom('audit_events')
      .select('type')
      .where('type', '=', 'EMAIL_CHANGED')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('housekeeping deletes links once they have expired, used or not', async () => {
    await server.createUser('ann@example.com');
    await resend('ann@example.com');
    expect(await countTokens()).toBe(1);
    server.clock.advance(24 * 3600 - 1);
    await server.app.services.housekeeping.purge();
    expect(await countTokens()).toBe(1);
    server.clock.advance(1);
    await server.app.services.housekeeping.purge();
    expect(await countTokens()).toBe(0);
  });

  it('is off with EMAIL_VERIFICATION=false: sign-up sends nothing, the mutations say so', async () => {
    const off = await startTestServer(dialect, { env: { ...mailEnv(inbox), EMAIL_VERIFICATION: 'false' } });
    try {
      const signedUp = await off.execute(SignUpDocument, {
        input: { email: 'quiet@example.com', password: TEST_PASSWORD, displayName: 'Quiet' },
      });
      expect(signedUp.errors).toBeUndefined();
      const disabled = { code: 'FORBIDDEN', reason: 'FEATURE_DISABLED' };
      expect(extensionsOf(await off.execute(ResendVerificationDocument, { email: 'quiet@example.com' }))).toEqual(
        disabled,
      );
      expect(extensionsOf(await off.execute(VerifyEmailDocument, { token: 'A'.repeat(43) }))).toEqual(disabled);
      await off.app.services.mailer.idle();
      expect(inbox.to('quiet@example.com')).toHaveLength(0);
    } finally {
      await off.close();
    }
  });
});
