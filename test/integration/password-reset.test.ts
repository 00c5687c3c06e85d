import { Role } from '../../src/auth/roles';
import {
  ChangePasswordDocument,
  LoginDocument,
  MeDocument,
  MyAccountDocument,
  RefreshDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  SetUserDisabledDocument,
} from '../generated/graphql';
import { createCountingHasher, type CountingHasher } from '../helpers/counting-hasher';
import { describeEachDatabase } from '../helpers/databases';
import { SmtpInbox, mailEnv, tokenFromMail } from '../helpers/smtp-inbox';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';
import { expectMediansWithinNoise, interleavedTimings } from '../helpers/timing';

const NEW_PASSWORD = 'a brand new passphrase';
const RESET_SUBJECT = /^Reset your password$/;
const extensionsOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions;
const RESET_QUERY = 'mutation ($email: String!) { requestPasswordReset(email: $email) }';
const LINK_INVALID = { code: 'BAD_USER_INPUT', field: 'token', reason: 'EMAIL_TOKEN_INVALID' };

/** Tokens a guesser might send: none is one the server made. */
const HOSTILE_TOKENS = [
  '',
  'x',
  'A'.repeat(43),
  'A'.repeat(42) + '!',
  'A'.repeat(44),
  'a'.repeat(10_000),
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00'.repeat(15),
];

describeEachDatabase('password reset', (dialect) => {
  let inbox: SmtpInbox;
  let server: TestServer;
  let argon2: CountingHasher;
  let n = 0;
  const nextEmail = () => `reset${++n}@example.com`;

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    argon2 = await createCountingHasher();
    server = await startTestServer(dialect, {
      env: { ...mailEnv(inbox), PASSWORD_RESET_MAX_PER_EMAIL: '1000', PASSWORD_RESET_MAX_PER_IP: '100000' },
      passwordHasher: argon2.hasher,
    });
  });
  afterAll(async () => {
    await server.close();
    await inbox.close();
  });

  const request = (email: string) => server.execute(RequestPasswordResetDocument, { email });
  const reset = (token: string, newPassword = NEW_PASSWORD) =>
    server.execute(ResetPasswordDocument, { token, newPassword });
  const login = (email: string, password: string) => server.execute(LoginDocument, { email, password });
  const passwordHashOf = async (email: string) =>
    (
      await server.app.services.database.db
        .selectFrom('users')
        .select('password_hash')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).password_hash;

  /** Asks for a reset of `email` and reads the token out of the message that arrives (the nth for that address). */
  async function tokenFor(email: string, nth = 1): Promise<string> {
    expect((await request(email)).data).toEqual({ requestPasswordReset: true });
    return tokenFromMail(await inbox.waitFor(email, RESET_SUBJECT, nth), 'reset-password');
  }

  it('mails a link whose token sets a new password, ends every session at once, and tells the owner', async () => {
    const email = nextEmail();
    const signedIn = await server.signIn(email);
    const token = await tokenFor(email);
    const mail = inbox.to(email)[0]!;
    expect(mail.from).toContain('no-reply@tollgate.test');
    expect(mail.text).toContain(`https://app.tollgate.test/reset-password#token=${token}`);
    expect(mail.html).toContain(`href="https://app.tollgate.test/reset-password#token=${token}"`);

    expect(await reset(token)).toMatchObject({ status: 200, data: { resetPassword: true } });
    // The access token of the session opened before is refused on the very next request, as after logoutAll.
    const me = await server.execute(MeDocument, {}, { token: signedIn.accessToken });
    expect(me.status).toBe(401);
    expect(extensionsOf(me)).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    expect(extensionsOf(await server.execute(RefreshDocument, { refreshToken: signedIn.refreshToken }))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect(extensionsOf(await login(email, TEST_PASSWORD))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    expect((await login(email, NEW_PASSWORD)).errors).toBeUndefined();

    const notice = await inbox.waitFor(email, /^Your password was reset$/);
    expect(notice.text).toContain('Every session of the account was signed out.');
    const events = await server.app.services.database.db
      .selectFrom('audit_events')
      .select(['type', 'details'])
      .where('user_id', '=', signedIn.id)
      .orderBy('at')
      .execute();
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'LOGIN_SUCCEEDED']),
    );
    expect(JSON.parse(events.find((event) => event.type === 'PASSWORD_RESET')!.details!)).toEqual({ sessionsEnded: 1 });
    // No token, hashed or not, is ever part of an audit row.
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('marks the address verified: the link proved it', async () => {
    const email = nextEmail();
    await server.createUser(email);
    await reset(await tokenFor(email));
    const res = await login(email, NEW_PASSWORD);
    expect(res.data!.login.user.email).toBe(email);
    const me = await server.execute(MyAccountDocument, {}, { token: res.data!.login.accessToken });
    expect(me.data!.me).toMatchObject({ email, emailVerified: true });
  });

  it('answers an unknown, a known and a disabled address identically, and mails only the known one', async () => {
    const known = nextEmail();
    const disabled = nextEmail();
    const unknown = nextEmail();
    await server.createUser(known);
    const disabledUser = await server.createUser(disabled);
    const admin = await server.signIn(nextEmail(), [Role.ADMIN]);
    await server.execute(
      SetUserDisabledDocument,
      { userId: disabledUser.id, disabled: true },
      { token: admin.accessToken },
    );

    const answers = [];
    const hashed = argon2.calls;
    for (const email of [unknown, known, disabled]) {
      const response = await server.post({ query: RESET_QUERY, variables: { email } });
      answers.push({ status: response.status, body: await response.text() });
    }
    // No argon2 on this path, for any of them.
    expect(argon2.calls).toBe(hashed);
    expect(answers[0]).toEqual({ status: 200, body: '{"data":{"requestPasswordReset":true}}\n' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    await server.app.services.mailer.idle();
    expect(inbox.to(known)).toHaveLength(1);
    expect(inbox.to(unknown)).toHaveLength(0);
    expect(inbox.to(disabled)).toHaveLength(0);
  });

  // The deterministic half of the timing test below: on PostgreSQL a transaction that wrote
  // waits for its WAL flush at commit and one that wrote nothing does not, so a path that
  // skipped the insert for unknown addresses was measurably faster. Every path writes alike.
  it('writes the same rows for an unknown, a known and a disabled address', async () => {
    const known = nextEmail();
    const disabled = nextEmail();
    await server.createUser(known);
    const disabledUser = await server.createUser(disabled);
    await server.app.services.database.db
      .updateTable('users')
      .set({ disabled: 1 })
      .where('id', '=', disabledUser.id)
      .execute();
    const { db } = server.app.services.database;
    const tokenRows = async () =>
      Number(
        (
          await db
            .selectFrom('account_tokens')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const written = async () => ({ tokens: await tokenRows(), audit: await server.countRows('audit_events') });
    const deltas = [];
    for (const email of [nextEmail(), known, disabled]) {
      const before = await written();
      expect((await request(email)).data).toEqual({ requestPasswordReset: true });
      const after = await written();
      deltas.push({ tokens: after.tokens - before.tokens, audit: after.audit - before.audit });
    }
    expect(deltas).toEqual([
      { tokens: 1, audit: 1 },
      { tokens: 1, audit: 1 },
      { tokens: 1, audit: 1 },
    ]);
    // The rows for addresses without a (usable) account belong to nobody, so no link can use them.
    const owners = await server.app.services.database.db
      .selectFrom('account_tokens')
      .select(['email', 'user_id'])
      .where('email', 'in', [known, disabled])
      .execute();
    expect(Object.fromEntries(owners.map((row) => [row.email, row.user_id]))).toEqual({
      [known]: expect.any(String),
      [disabled]: null,
    });
  });

  it('takes as long for an unknown address as for a known one (medians of 50 tries each)', async () => {
    const known = nextEmail();
    await server.createUser(known);
    const unknown = nextEmail();
    const timings = await interleavedTimings(50, [() => request(known), () => request(unknown)]);
    // Both paths run the same statements and hash nothing; see expectMediansWithinNoise for the bound.
    expectMediansWithinNoise(timings[0]!, timings[1]!);
    await server.app.services.mailer.idle();
    expect(inbox.to(known).length).toBeGreaterThanOrEqual(50);
    expect(inbox.to(unknown)).toHaveLength(0);
  });

  it('works once: a used link is refused and changes nothing', async () => {
    const email = nextEmail();
    await server.createUser(email);
    const token = await tokenFor(email);
    expect((await reset(token)).errors).toBeUndefined();
    const hash = await passwordHashOf(email);
    const again = await reset(token, 'yet another passphrase');
    expect(again.data).toBeNull();
    expect(extensionsOf(again)).toEqual(LINK_INVALID);
    expect(await passwordHashOf(email)).toBe(hash);
  });

  it('works until one millisecond before 30 minutes', async () => {
    const email = nextEmail();
    await server.createUser(email);
    const token = await tokenFor(email);
    server.clock.advance(30 * 60 - 1);
    server.clock.advance(0.999);
    expect((await reset(token)).errors).toBeUndefined();
    expect((await login(email, NEW_PASSWORD)).errors).toBeUndefined();
  });

  it('is refused from 30 minutes on, changing nothing', async () => {
    const email = nextEmail();
    await server.createUser(email);
    const token = await tokenFor(email);
    const hash = await passwordHashOf(email);
    server.clock.advance(30 * 60);
    expect(extensionsOf(await reset(token))).toEqual(LINK_INVALID);
    expect(await passwordHashOf(email)).toBe(hash);
  });

  it('refuses guessed and malformed tokens with the same answer as a used one', async () => {
    const email = nextEmail();
    await server.createUser(email);
    const real = await tokenFor(email);
    const hash = await passwordHashOf(email);
    // The real token with one character changed: as unknown as any other.
    const flipped = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
    const hashed = argon2.calls;
    for (const token of [...HOSTILE_TOKENS, flipped]) {
      const res = await reset(token);
      expect(res.data).toBeNull();
      expect(extensionsOf(res)).toEqual(LINK_INVALID);
      expect(res.errors![0]!.message).toBe('This link is invalid or has expired; ask for a new one.');
    }
    expect(await passwordHashOf(email)).toBe(hash);
    // A dead token is refused before the new password is hashed.
    expect(argon2.calls).toBe(hashed);
    // None of that used up the real one.
    expect((await reset(real)).errors).toBeUndefined();
  });

  it('dies when the password changes by another route (changePassword)', async () => {
    const email = nextEmail();
    const signedIn = await server.signIn(email);
    const token = await tokenFor(email);
    const changed = await server.execute(
      ChangePasswordDocument,
      { currentPassword: TEST_PASSWORD, newPassword: 'changed the usual way' },
      { token: signedIn.accessToken },
    );
    expect(changed.errors).toBeUndefined();
    expect(extensionsOf(await reset(token))).toEqual(LINK_INVALID);
    expect((await login(email, 'changed the usual way')).errors).toBeUndefined();
  });

  it('dies when another reset link of the same account was used first', async () => {
    const email = nextEmail();
    await server.createUser(email);
    const first = await tokenFor(email, 1);
    const second = await tokenFor(email, 2);
    expect(first).not.toBe(second);
    expect((await reset(second)).errors).toBeUndefined();
    expect(extensionsOf(await reset(first, 'not the one that counts'))).toEqual(LINK_INVALID);
    expect((await login(email, NEW_PASSWORD)).errors).toBeUndefined();
  });

  it('applies the password rules, and a refused password leaves the link usable', async () => {
    const email = nextEmail();
    await server.createUser(email);
    const token = await tokenFor(email);
    for (const bad of ['short', 'x'.repeat(129)]) {
      expect(extensionsOf(await reset(token, bad))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    }
    expect((await reset(token)).errors).toBeUndefined();
  });

  it('lets exactly one of 20 concurrent uses of one link through', async () => {
    const email = nextEmail();
    await server.createUser(email);
    const token = await tokenFor(email);
    const passwords = Array.from({ length: 20 }, (_, i) => `concurrent passphrase ${i}`);
    const answers = await Promise.all(passwords.map((password) => reset(token, password)));
    const winners = answers.flatMap((res, i) => (res.data?.resetPassword === true ? [passwords[i]!] : []));
    expect(winners).toHaveLength(1);
    for (const res of answers.filter((answer) => !answer.data?.resetPassword)) {
      expect(extensionsOf(res)).toEqual(LINK_INVALID);
    }
    // The stored password is the winner's, and no other.
    expect((await login(email, winners[0]!)).errors).toBeUndefined();
    const loser = passwords.find((password) => password !== winners[0])!;
    expect(extensionsOf(await login(email, loser))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    await server.app.services.mailer.idle();
    expect(inbox.to(email).filter((mail) => /was reset/.test(mail.subject))).toHaveLength(1);
  });

  it('refuses an operation that would use a link several times (aliases), before any of them runs', async () => {
    const email = nextEmail();
    await server.createUser(email);
    const token = await tokenFor(email);
    const hash = await passwordHashOf(email);
    const aliases = Array.from(
      { length: 5 },
      (_, i) => `r${i}: resetPassword(token: "${token}", newPassword: "passphrase number ${i}")`,
    );
    const res = await server.post({ query: `mutation { ${aliases.join('\n')} }` });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await passwordHashOf(email)).toBe(hash);
    expect((await reset(token)).errors).toBeUndefined();
  });

  it('refuses an address that is no address, before any work', async () => {
    for (const email of ['', 'not-an-address', 'a'.repeat(300) + '@example.com']) {
      expect(extensionsOf(await request(email))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    }
  });
});

describeEachDatabase('password reset throttling', (dialect) => {
  let inbox: SmtpInbox;
  let server: TestServer;
  beforeEach(async () => {
    inbox = await SmtpInbox.start();
    server = await startTestServer(dialect, {
      env: { ...mailEnv(inbox), PASSWORD_RESET_MAX_PER_EMAIL: '2', PASSWORD_RESET_MAX_PER_IP: '4' },
    });
    await server.createUser('alice@example.com');
  });
  afterEach(async () => {
    await server.close();
    await inbox.close();
  });
  const request = (email: string) => server.execute(RequestPasswordResetDocument, { email });
  const THROTTLED = { code: 'TOO_MANY_REQUESTS', retryAfter: 3600 };

  it('limits each address, known or not, alike, and sends nothing past the limit', async () => {
    for (const email of ['alice@example.com', 'nobody@example.com']) {
      for (let i = 0; i < 2; i++) expect((await request(email)).data).toEqual({ requestPasswordReset: true });
      expect(extensionsOf(await request(email))).toEqual(THROTTLED);
    }
    await server.app.services.mailer.idle();
    expect(inbox.to('alice@example.com')).toHaveLength(2);
  });

  it('limits each client address over every email', async () => {
    for (let i = 0; i < 4; i++) expect((await request(`guess${i}@example.com`)).errors).toBeUndefined();
    expect(extensionsOf(await request('alice@example.com'))).toEqual(THROTTLED);
    server.clock.advance(3600);
    expect((await request('alice@example.com')).errors).toBeUndefined();
  });

  it('is off with PASSWORD_RESET=false', async () => {
    const off = await startTestServer(dialect, { env: { ...mailEnv(inbox), PASSWORD_RESET: 'false' } });
    try {
      const disabled = { code: 'FORBIDDEN', reason: 'FEATURE_DISABLED' };
      expect(extensionsOf(await off.execute(RequestPasswordResetDocument, { email: 'a@example.com' }))).toEqual(
        disabled,
      );
      expect(
        extensionsOf(await off.execute(ResetPasswordDocument, { token: 'A'.repeat(43), newPassword: NEW_PASSWORD })),
      ).toEqual(disabled);
    } finally {
      await off.close();
    }
  });
});
