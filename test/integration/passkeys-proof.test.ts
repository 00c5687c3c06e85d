import {
  FinishPasskeyLoginDocument,
  FinishPasskeyRegistrationDocument,
  LogoutAllDocument,
  MyPasskeysDocument,
  StartPasskeyLoginDocument,
  StartPasskeyRegistrationDocument,
} from '../generated/graphql';
import { SoftwareAuthenticator } from '../fixtures/webauthn/software-authenticator';
import { describeEachDatabase } from '../helpers/databases';
import { SmtpInbox, mailEnv } from '../helpers/smtp-inbox';
import {
  TEST_PASSWORD,
  startTestServer,
  type GraphQLResponse,
  type SignedIn,
  type TestServer,
} from '../helpers/test-server';
import { enrolTotp, totpCode, wrongTotpCode } from '../helpers/two-factor';
import { markEmailVerified, signInVerified } from '../helpers/verified-email';

/** The web app's origin in development: a default of WEBAUTHN_ORIGINS, with WEBAUTHN_RP_ID localhost. */
const ORIGIN = 'http://localhost:5173';
const WRONG_PASSWORDS = ['', 'not the password', `${TEST_PASSWORD} `, 'x'.repeat(5000)];
const ADDED_SUBJECT = /^A passkey was added to your account$/;

describeEachDatabase('passkeys: adding one proves who you are, and waits for a verified address', (dialect) => {
  let inbox: SmtpInbox;
  let server: TestServer;
  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    server = await startTestServer(dialect, { env: mailEnv(inbox) });
  });
  afterAll(async () => {
    await server.close();
    await inbox.close();
  });

  let n = 0;
  const nextEmail = () => `pk-proof-${++n}@example.com`;
  const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
  const db = () => server.app.services.database.db;
  const newAuthenticator = () => new SoftwareAuthenticator({ origin: ORIGIN, rpId: 'localhost' });

  async function stored(userId: string): Promise<{ passkeys: number; challenges: number }> {
    const passkeys = await db().selectFrom('passkeys').select('id').where('user_id', '=', userId).execute();
    const challenges = await db()
      .selectFrom('passkey_challenges')
      .select('challenge_hash')
      .where('user_id', '=', userId)
      .where('purpose', '=', 'register')
      .execute();
    return { passkeys: passkeys.length, challenges: challenges.length };
  }

  async function addPasskey(token: string, authenticator = newAuthenticator()) {
    const start = await server.execute(StartPasskeyRegistrationDocument, { currentPassword: TEST_PASSWORD }, { token });
    expect(start.errors).toBeUndefined();
    const finish = await server.execute(
      FinishPasskeyRegistrationDocument,
      { response: authenticator.register(start.data!.startPasskeyRegistration.options), name: 'Laptop <b>' },
      { token },
    );
    expect(finish.errors).toBeUndefined();
    return authenticator;
  }

  async function auditFailures(userId: string): Promise<number> {
    const rows = await db()
      .selectFrom('audit_events')
      .select('type')
      .where('user_id', '=', userId)
      .where('type', '=', 'REAUTHENTICATION_FAILED')
      .execute();
    return rows.length;
  }

  describe('a stolen access token, a minute after the owner’s login', () => {
    it.each(WRONG_PASSWORDS.map((password) => [password.slice(0, 20), password]))(
      'cannot start adding a passkey with the password %j, and nothing is stored',
      async (_, currentPassword) => {
        const user = await signInVerified(server, nextEmail());
        server.clock.advance(60);
        const res = await server.execute(
          StartPasskeyRegistrationDocument,
          { currentPassword },
          { token: user.accessToken },
        );
        expect(res.data ?? null).toBeNull();
        expect(res.errors?.[0]).toMatchObject({
          message: 'The password is incorrect.',
          extensions: { code: 'BAD_USER_INPUT', field: 'password' },
        });
        expect(await stored(user.id)).toEqual({ passkeys: 0, challenges: 0 });
        expect(await auditFailures(user.id)).toBe(1);
      },
    );

    it('cannot start without a password at all (the argument is required)', async () => {
      const user = await signInVerified(server, nextEmail());
      const res = await server.post(
        { query: 'mutation { startPasskeyRegistration { options } }' },
        { authorization: `Bearer ${user.accessToken}` },
      );
      const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(await stored(user.id)).toEqual({ passkeys: 0, challenges: 0 });
    });

    it('spends reauthenticate’s budget: after 5 wrong passwords even the right one is refused', async () => {
      const user = await signInVerified(server, nextEmail());
      const token = { token: user.accessToken };
      const attempts = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          server.execute(StartPasskeyRegistrationDocument, { currentPassword: `wrong ${i}` }, token),
        ),
      );
      const codes = attempts.map((res) => extensionsOf(res)?.code);
      expect(codes.filter((code) => code === 'BAD_USER_INPUT')).toHaveLength(5);
      expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(7);
      const right = await server.execute(StartPasskeyRegistrationDocument, { currentPassword: TEST_PASSWORD }, token);
      expect(extensionsOf(right)).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(await stored(user.id)).toEqual({ passkeys: 0, challenges: 0 });
      // The window ends: the owner, with the password, gets through.
      server.clock.advance(15 * 60);
      await addPasskey(user.accessToken);
    });

    it('refuses a code when the account has no second factor', async () => {
      const user = await signInVerified(server, nextEmail());
      const res = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD, code: '123456' },
        { token: user.accessToken },
      );
      expect(extensionsOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
      expect(await stored(user.id)).toEqual({ passkeys: 0, challenges: 0 });
    });
  });

  describe('with two-factor on', () => {
    async function enrolledUser(): Promise<SignedIn & { secret: string; recoveryCodes: readonly string[] }> {
      const user = await signInVerified(server, nextEmail());
      return { ...user, ...(await enrolTotp(server, user.accessToken)) };
    }

    it('asks for a code besides the password, and refuses a wrong one', async () => {
      const user = await enrolledUser();
      const token = { token: user.accessToken };
      const passwordOnly = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD },
        token,
      );
      expect(extensionsOf(passwordOnly)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'code',
        reason: 'SECOND_FACTOR_REQUIRED',
      });
      const wrong = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD, code: wrongTotpCode(user.secret, server.clock.now()) },
        token,
      );
      expect(extensionsOf(wrong)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code', reason: 'INVALID_MFA_CODE' });
      expect(await stored(user.id)).toEqual({ passkeys: 0, challenges: 0 });
    });

    it('accepts the password with a current code, or with a recovery code (then spent)', async () => {
      const user = await enrolledUser();
      const token = { token: user.accessToken };
      const withCode = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD, code: totpCode(user.secret, server.clock.now()) },
        token,
      );
      expect(withCode.errors).toBeUndefined();
      const recoveryCode = user.recoveryCodes[0]!;
      const withRecovery = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD, recoveryCode },
        token,
      );
      expect(withRecovery.errors).toBeUndefined();
      const again = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD, recoveryCode },
        token,
      );
      expect(extensionsOf(again)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    });
  });

  describe('the owner is told', () => {
    it('mails the verified owner when a passkey is added, without quoting its name', async () => {
      const email = nextEmail();
      const user = await signInVerified(server, email);
      await addPasskey(user.accessToken);
      const mail = await inbox.waitFor(email, ADDED_SUBJECT);
      expect(mail.text).toContain('signs in to your account without the password');
      expect(mail.text).toContain('If this was not you');
      expect(mail.text).not.toContain('Laptop');
      expect(mail.html).not.toContain('Laptop');
    });

    it('sends nothing when the registration is refused', async () => {
      const email = nextEmail();
      const user = await signInVerified(server, email);
      const start = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD },
        { token: user.accessToken },
      );
      const refused = await server.execute(
        FinishPasskeyRegistrationDocument,
        {
          response: newAuthenticator().register(start.data!.startPasskeyRegistration.options, {
            origin: 'https://evil.example',
          }),
        },
        { token: user.accessToken },
      );
      expect(extensionsOf(refused)).toMatchObject({ reason: 'PASSKEY_INVALID' });
      // A later mail to the same address proves the queue drained past the refusal.
      await addPasskey(user.accessToken);
      await inbox.waitFor(email, ADDED_SUBJECT);
      await server.app.services.mailer.idle();
      expect(inbox.to(email).filter((m) => ADDED_SUBJECT.test(m.subject))).toHaveLength(1);
    });
  });

  describe('pre-hijack: an account whose address is not verified', () => {
    it('cannot add a passkey, before any password is asked, and nothing is stored', async () => {
      const user = await server.signIn(nextEmail());
      const res = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD },
        { token: user.accessToken },
      );
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]).toMatchObject({
        message: 'Confirm your email address with the link we sent first.',
        extensions: { code: 'BAD_USER_INPUT', field: 'email', reason: 'EMAIL_NOT_VERIFIED' },
      });
      expect(await stored(user.id)).toEqual({ passkeys: 0, challenges: 0 });
      expect(await auditFailures(user.id)).toBe(0);
    });

    it('cannot finish a registration started before the address was unverified', async () => {
      const user = await signInVerified(server, nextEmail());
      const start = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD },
        { token: user.accessToken },
      );
      await db().updateTable('users').set({ email_verified_at: null }).where('id', '=', user.id).execute();
      const res = await server.execute(
        FinishPasskeyRegistrationDocument,
        { response: newAuthenticator().register(start.data!.startPasskeyRegistration.options) },
        { token: user.accessToken },
      );
      expect(extensionsOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EMAIL_NOT_VERIFIED' });
      expect((await stored(user.id)).passkeys).toBe(0);
    });

    it('can add one once the address is verified', async () => {
      const user = await server.signIn(nextEmail());
      await markEmailVerified(server, user.id);
      await addPasskey(user.accessToken);
      const list = await server.execute(MyPasskeysDocument, {}, { token: user.accessToken });
      expect(list.data!.myPasskeys).toHaveLength(1);
    });
  });

  it('a passkey the owner added survives their logoutAll and signs them in (the reason adding is guarded)', async () => {
    const user = await signInVerified(server, nextEmail());
    const authenticator = await addPasskey(user.accessToken);
    expect((await server.execute(LogoutAllDocument, {}, { token: user.accessToken })).errors).toBeUndefined();
    const options = (await server.execute(StartPasskeyLoginDocument, {})).data!.startPasskeyLogin.options;
    const login = await server.execute(FinishPasskeyLoginDocument, { response: authenticator.assert(options) });
    expect(login.errors).toBeUndefined();
  });
});

describeEachDatabase('passkeys with EMAIL_VERIFICATION=false', (dialect) => {
  let inbox: SmtpInbox;
  let server: TestServer;
  let withReset: TestServer;
  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    server = await startTestServer(dialect, {
      env: { ...mailEnv(inbox), EMAIL_VERIFICATION: 'false', PASSWORD_RESET: 'false' },
    });
    withReset = await startTestServer(dialect, { env: { ...mailEnv(inbox), EMAIL_VERIFICATION: 'false' } });
  });
  afterAll(async () => {
    await server.close();
    await withReset.close();
    await inbox.close();
  });

  it('refuses a passkey to an unproven address while PASSWORD_RESET is on: a reset would hand the account to the address holder, and the passkey would outlive it', async () => {
    // The re-review's pre-hijack with verification off: a squatter signs up with the owner's
    // address and adds a passkey; the owner recovers the account by reset; the passkey logged the
    // squatter back in.
    const squatter = await withReset.signIn('owner-of-this-address@example.com');
    const start = await withReset.execute(
      StartPasskeyRegistrationDocument,
      { currentPassword: TEST_PASSWORD },
      { token: squatter.accessToken },
    );
    expect(start.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EMAIL_NOT_VERIFIED' });
  });

  it('adds a passkey to an account no address can be verified for, and mails no unproven address', async () => {
    const email = 'no-verification@example.com';
    const user = await server.signIn(email);
    const start = await server.execute(
      StartPasskeyRegistrationDocument,
      { currentPassword: TEST_PASSWORD },
      { token: user.accessToken },
    );
    expect(start.errors).toBeUndefined();
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN, rpId: 'localhost' });
    const finish = await server.execute(
      FinishPasskeyRegistrationDocument,
      { response: authenticator.register(start.data!.startPasskeyRegistration.options) },
      { token: user.accessToken },
    );
    expect(finish.errors).toBeUndefined();
    await server.app.services.mailer.idle();
    expect(inbox.to(email)).toHaveLength(0);
  });
});
