import { Role } from '../../src/auth/roles';
import { PasskeyChallengeRepository } from '../../src/modules/passkeys/passkey-challenges.repository';
import { CHALLENGE_TTL_MS, MAX_PASSKEYS_PER_USER } from '../../src/modules/passkeys/passkey.model';
import {
  FinishPasskeyLoginDocument,
  FinishPasskeyReauthenticationDocument,
  FinishPasskeyRegistrationDocument,
  LoginDocument,
  MeDocument,
  MyPasskeysDocument,
  RefreshDocument,
  RemovePasskeyDocument,
  RenamePasskeyDocument,
  SetUserDisabledDocument,
  StartPasskeyLoginDocument,
  StartPasskeyReauthenticationDocument,
  StartPasskeyRegistrationDocument,
} from '../generated/graphql';
import { FLAGS, SoftwareAuthenticator, type CeremonyOverrides } from '../fixtures/webauthn/software-authenticator';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';
import { claimsOf } from '../helpers/two-factor';
import { signInVerified } from '../helpers/verified-email';

/** The web app's origin in development: a default of WEBAUTHN_ORIGINS, with WEBAUTHN_RP_ID localhost. */
const ORIGIN = 'http://localhost:5173';
const PASSKEY_INVALID = {
  message: 'The passkey could not be verified; try again.',
  extensions: { code: 'UNAUTHENTICATED', reason: 'PASSKEY_INVALID' },
};

describeEachDatabase('passkeys (WebAuthn)', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    await server.createUser('passkey-admin@example.com', [Role.ADMIN]);
  });
  afterAll(() => server.close());

  let n = 0;
  const nextEmail = () => `passkey-${++n}@example.com`;
  const errorOf = (res: GraphQLResponse<unknown>) => {
    const error = res.errors?.[0];
    return error ? { message: error.message, extensions: error.extensions } : undefined;
  };
  /** A signed-in user whose address is verified: passkeys are added only then. */
  const signIn = (email: string) => signInVerified(server, email);
  const newAuthenticator = (synced = false) => new SoftwareAuthenticator({ origin: ORIGIN, rpId: 'localhost', synced });

  async function registrationOptions(token: string): Promise<string> {
    const res = await server.execute(StartPasskeyRegistrationDocument, { currentPassword: TEST_PASSWORD }, { token });
    expect(res.errors).toBeUndefined();
    return res.data!.startPasskeyRegistration.options;
  }

  async function loginOptions(): Promise<string> {
    const res = await server.execute(StartPasskeyLoginDocument, {});
    expect(res.errors).toBeUndefined();
    return res.data!.startPasskeyLogin.options;
  }

  /** A signed-in user with one passkey on `authenticator`. */
  async function userWithPasskey(authenticator = newAuthenticator()) {
    const email = nextEmail();
    const user = await signIn(email);
    const options = await registrationOptions(user.accessToken);
    const res = await server.execute(
      FinishPasskeyRegistrationDocument,
      { response: authenticator.register(options), name: 'Laptop' },
      { token: user.accessToken },
    );
    expect(res.errors).toBeUndefined();
    return { ...user, email, authenticator, passkeyId: res.data!.finishPasskeyRegistration.id };
  }

  async function passkeyLogin(authenticator: SoftwareAuthenticator, overrides: CeremonyOverrides = {}) {
    return server.execute(FinishPasskeyLoginDocument, {
      response: authenticator.assert(await loginOptions(), overrides),
    });
  }

  async function auditTypes(userId: string): Promise<string[]> {
    const rows = await server.app.services.database.db
      .selectFrom('audit_events')
      .select('type')
      .where('user_id', '=', userId)
      .orderBy('at')
      .execute();
    return rows.map((row) => row.type);
  }

  async function storedPasskeys(): Promise<number> {
    const row = await server.app.services.database.db
      .selectFrom('passkeys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  describe('registration', () => {
    it('offers options for a discoverable, user-verified credential bound to an opaque user handle', async () => {
      const user = await signIn(nextEmail());
      const options = JSON.parse(await registrationOptions(user.accessToken));
      expect(options).toMatchObject({
        rp: { id: 'localhost', name: 'Tollgate' },
        attestation: 'none',
        excludeCredentials: [],
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        timeout: CHALLENGE_TTL_MS,
      });
      expect(options.user.name).toMatch(/^passkey-\d+@example\.com$/);
      // The user handle is 32 opaque bytes, not the account's id.
      expect(Buffer.from(options.user.id, 'base64url')).toHaveLength(32);
      expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).not.toContain(user.id);
      expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32);
    });

    it('stores the passkey, lists it, records it, and excludes it from the next registration', async () => {
      const { accessToken, id, authenticator } = await userWithPasskey();
      const list = await server.execute(MyPasskeysDocument, {}, { token: accessToken });
      expect(list.data!.myPasskeys).toEqual([
        {
          id: expect.any(String),
          name: 'Laptop',
          createdAt: new Date(server.clock.now()).toISOString(),
          lastUsedAt: null,
          deviceType: 'singleDevice',
          backedUp: false,
        },
      ]);
      expect(await auditTypes(id)).toContain('PASSKEY_REGISTERED');
      const next = JSON.parse(await registrationOptions(accessToken));
      expect(next.excludeCredentials).toEqual([
        { id: authenticator.credentialId, type: 'public-key', transports: ['internal'] },
      ]);
    });

    it('names a synced passkey by default and says it is backed up', async () => {
      const user = await signIn(nextEmail());
      const synced = newAuthenticator(true);
      const res = await server.execute(
        FinishPasskeyRegistrationDocument,
        { response: synced.register(await registrationOptions(user.accessToken)) },
        { token: user.accessToken },
      );
      expect(res.data!.finishPasskeyRegistration).toMatchObject({
        name: 'Synced passkey',
        deviceType: 'multiDevice',
        backedUp: true,
      });
    });

    it.each<[string, CeremonyOverrides]>([
      ['another origin', { origin: 'https://evil.example' }],
      ['an origin on another port', { origin: 'http://localhost:5174' }],
      ['another RP ID', { rpId: 'evil.example' }],
      ['the wrong client data type', { type: 'webauthn.get' }],
      ['no user verification', { flags: FLAGS.UP | FLAGS.AT }],
      ['no user presence', { flags: FLAGS.UV | FLAGS.AT }],
      ['another challenge', { challenge: Buffer.alloc(32, 7).toString('base64url') }],
    ])('refuses a registration with %s, storing nothing', async (_, overrides) => {
      const user = await signIn(nextEmail());
      const before = await storedPasskeys();
      const res = await server.execute(
        FinishPasskeyRegistrationDocument,
        { response: newAuthenticator().register(await registrationOptions(user.accessToken), overrides) },
        { token: user.accessToken },
      );
      expect(res.data ?? null).toBeNull();
      expect(errorOf(res)).toEqual({
        message: 'The passkey could not be registered; try again.',
        extensions: { code: 'BAD_USER_INPUT', field: 'response', reason: 'PASSKEY_INVALID' },
      });
      expect(await storedPasskeys()).toBe(before);
    });

    it("binds a registration challenge to the user who asked: another user's finish leaves it usable", async () => {
      const ann = await signIn(nextEmail());
      const bob = await signIn(nextEmail());
      const authenticator = newAuthenticator();
      const response = authenticator.register(await registrationOptions(ann.accessToken));
      const byBob = await server.execute(FinishPasskeyRegistrationDocument, { response }, { token: bob.accessToken });
      expect(errorOf(byBob)?.extensions).toMatchObject({ reason: 'PASSKEY_INVALID' });
      const byAnn = await server.execute(FinishPasskeyRegistrationDocument, { response }, { token: ann.accessToken });
      expect(byAnn.errors).toBeUndefined();
      const bobs = await server.execute(MyPasskeysDocument, {}, { token: bob.accessToken });
      expect(bobs.data!.myPasskeys).toEqual([]);
    });

    it('uses a registration challenge once', async () => {
      const user = await signIn(nextEmail());
      const response = newAuthenticator().register(await registrationOptions(user.accessToken));
      const first = await server.execute(FinishPasskeyRegistrationDocument, { response }, { token: user.accessToken });
      expect(first.errors).toBeUndefined();
      const again = await server.execute(FinishPasskeyRegistrationDocument, { response }, { token: user.accessToken });
      expect(errorOf(again)?.extensions).toMatchObject({ reason: 'PASSKEY_INVALID' });
    });

    it('accepts a registration challenge up to 5 minutes old, and refuses it one millisecond later', async () => {
      const user = await signIn(nextEmail());
      const atTheEdge = newAuthenticator().register(await registrationOptions(user.accessToken));
      const pastTheEdge = newAuthenticator().register(await registrationOptions(user.accessToken));
      server.clock.advance(CHALLENGE_TTL_MS / 1000);
      const onTime = await server.execute(
        FinishPasskeyRegistrationDocument,
        { response: atTheEdge },
        { token: user.accessToken },
      );
      expect(onTime.errors).toBeUndefined();
      server.clock.advance(0.001);
      const late = await server.execute(
        FinishPasskeyRegistrationDocument,
        { response: pastTheEdge },
        { token: user.accessToken },
      );
      expect(errorOf(late)?.extensions).toMatchObject({ reason: 'PASSKEY_INVALID' });
    });

    it('forgets challenges nobody finished once they expire (housekeeping)', async () => {
      const challenges = new PasskeyChallengeRepository(server.app.services.database.db);
      await challenges.purgeExpired(server.clock.now()); // what earlier tests left behind
      const user = await signIn(nextEmail());
      await registrationOptions(user.accessToken);
      await loginOptions();
      expect(await challenges.purgeExpired(server.clock.now() + CHALLENGE_TTL_MS)).toBe(0);
      expect(await challenges.purgeExpired(server.clock.now() + CHALLENGE_TTL_MS + 1)).toBe(2);
    });

    it('refuses a credential id already registered (to anyone)', async () => {
      const { authenticator } = await userWithPasskey();
      const other = await signIn(nextEmail());
      const res = await server.execute(
        FinishPasskeyRegistrationDocument,
        { response: authenticator.register(await registrationOptions(other.accessToken)) },
        { token: other.accessToken },
      );
      expect(errorOf(res)?.extensions).toMatchObject({ reason: 'PASSKEY_INVALID' });
    });

    it('refuses names that are empty, too long or not one line, changing nothing', async () => {
      const user = await signIn(nextEmail());
      for (const name of ['', '   ', 'x'.repeat(61), 'two\nlines', 'bidi\u202Eoverride']) {
        const res = await server.execute(
          FinishPasskeyRegistrationDocument,
          { response: newAuthenticator().register(await registrationOptions(user.accessToken)), name },
          { token: user.accessToken },
        );
        expect(errorOf(res)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
      }
      const list = await server.execute(MyPasskeysDocument, {}, { token: user.accessToken });
      expect(list.data!.myPasskeys).toEqual([]);
    });

    it('asks for the password in the call, not a recent sign-in: an old token with it adds a passkey', async () => {
      const user = await signIn(nextEmail());
      server.clock.advance(60 * 60);
      const { accessToken } = await refreshed(user.refreshToken);
      const options = await registrationOptions(accessToken);
      const res = await server.execute(
        FinishPasskeyRegistrationDocument,
        { response: newAuthenticator().register(options) },
        { token: accessToken },
      );
      expect(res.errors).toBeUndefined();
    });

    it('holds at most 20 passkeys per account, each excluded from the next registration', async () => {
      const user = await signIn(nextEmail());
      for (let i = 0; i < MAX_PASSKEYS_PER_USER; i++) {
        const options = await registrationOptions(user.accessToken);
        expect(JSON.parse(options).excludeCredentials).toHaveLength(i);
        const res = await server.execute(
          FinishPasskeyRegistrationDocument,
          { response: newAuthenticator().register(options) },
          { token: user.accessToken },
        );
        expect(res.errors).toBeUndefined();
      }
      const full = await server.execute(
        StartPasskeyRegistrationDocument,
        { currentPassword: TEST_PASSWORD },
        { token: user.accessToken },
      );
      expect(errorOf(full)).toEqual({
        message: 'An account can hold at most 20 passkeys.',
        extensions: { code: 'BAD_USER_INPUT', field: 'passkeys' },
      });
    });

    it('is for signed-in users only', async () => {
      const res = await server.execute(StartPasskeyRegistrationDocument, { currentPassword: TEST_PASSWORD });
      expect(errorOf(res)?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  describe('login', () => {
    it('asks for no email, and opens a session proving two factors (amr hwk, auth_time now)', async () => {
      const { id, email, authenticator, accessToken } = await userWithPasskey();
      const options = JSON.parse(await loginOptions());
      expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [] });

      server.clock.advance(1.5);
      const res = await passkeyLogin(authenticator);
      expect(res.errors).toBeUndefined();
      const login = res.data!.finishPasskeyLogin;
      expect(login.user).toEqual({ id, email });
      expect(claimsOf(login.accessToken)).toMatchObject({
        sub: id,
        amr: ['hwk'],
        auth_time: Math.floor(server.clock.now() / 1000),
      });
      const me = await server.execute(MeDocument, {}, { token: login.accessToken });
      expect(me.data!.me).toMatchObject({ id, email, lastLoginAt: new Date(server.clock.now()).toISOString() });
      const list = await server.execute(MyPasskeysDocument, {}, { token: accessToken });
      expect(list.data!.myPasskeys[0]!.lastUsedAt).toBe(new Date(server.clock.now()).toISOString());
      expect(await auditTypes(id)).toContain('PASSKEY_LOGIN_SUCCEEDED');
    });

    it('states swk for a synced passkey, whose counter stays 0 sign-in after sign-in', async () => {
      const { authenticator } = await userWithPasskey(newAuthenticator(true));
      for (let i = 0; i < 2; i++) {
        const res = await passkeyLogin(authenticator);
        expect(res.errors).toBeUndefined();
        expect(claimsOf(res.data!.finishPasskeyLogin.accessToken).amr).toEqual(['swk']);
      }
      expect(authenticator.signCount).toBe(0);
    });

    it('refuses a replayed assertion (its challenge is used)', async () => {
      const { authenticator } = await userWithPasskey();
      const response = authenticator.assert(await loginOptions());
      const first = await server.execute(FinishPasskeyLoginDocument, { response });
      expect(first.errors).toBeUndefined();
      const replay = await server.execute(FinishPasskeyLoginDocument, { response });
      expect(replay.data ?? null).toBeNull();
      expect(errorOf(replay)).toEqual(PASSKEY_INVALID);
    });

    it('accepts a challenge up to 5 minutes old, and refuses it one millisecond later', async () => {
      const { authenticator } = await userWithPasskey();
      const atTheEdge = authenticator.assert(await loginOptions());
      server.clock.advance(CHALLENGE_TTL_MS / 1000);
      expect((await server.execute(FinishPasskeyLoginDocument, { response: atTheEdge })).errors).toBeUndefined();

      const pastTheEdge = authenticator.assert(await loginOptions());
      server.clock.advance(CHALLENGE_TTL_MS / 1000 + 0.001);
      const late = await server.execute(FinishPasskeyLoginDocument, { response: pastTheEdge });
      expect(errorOf(late)).toEqual(PASSKEY_INVALID);
    });

    it('refuses a registration challenge answered as a login', async () => {
      const { authenticator, accessToken } = await userWithPasskey();
      const registration = JSON.parse(await registrationOptions(accessToken));
      const res = await server.execute(FinishPasskeyLoginDocument, {
        response: authenticator.assert(JSON.stringify({ challenge: registration.challenge, rpId: 'localhost' })),
      });
      expect(errorOf(res)).toEqual(PASSKEY_INVALID);
    });

    it.each<[string, CeremonyOverrides, string]>([
      ['another origin', { origin: 'https://evil.example' }, 'not_verified'],
      ['another RP ID', { rpId: 'evil.example' }, 'not_verified'],
      ['the registration client data type', { type: 'webauthn.create' }, 'not_verified'],
      ['no user verification', { flags: FLAGS.UP }, 'not_verified'],
      ['no user handle', { userHandle: null }, 'user_handle'],
      ['another user handle', { userHandle: Buffer.alloc(32, 1).toString('base64url') }, 'user_handle'],
    ])('refuses an assertion with %s, with the one answer for every failure', async (_, overrides, reason) => {
      const { id, authenticator } = await userWithPasskey();
      const res = await passkeyLogin(authenticator, overrides);
      expect(res.data ?? null).toBeNull();
      expect(errorOf(res)).toEqual(PASSKEY_INVALID);
      // Which check refused it is for ADMINs, from a closed list (nothing the client wrote).
      const failures = await server.app.services.database.db
        .selectFrom('audit_events')
        .select('details')
        .where('user_id', '=', id)
        .where('type', '=', 'PASSKEY_LOGIN_FAILED')
        .execute();
      expect(failures.map((row) => JSON.parse(row.details!))).toEqual([{ reason }]);
      // The passkey still works: a refused assertion changed nothing.
      expect((await passkeyLogin(authenticator, { signCount: authenticator.signCount + 1 })).errors).toBeUndefined();
    });

    it('refuses a counter that goes backwards (a cloned authenticator) and records it', async () => {
      const { id, authenticator } = await userWithPasskey();
      expect((await passkeyLogin(authenticator, { signCount: 10 })).errors).toBeUndefined();
      for (const signCount of [10, 9, 0]) {
        expect(errorOf(await passkeyLogin(authenticator, { signCount }))).toEqual(PASSKEY_INVALID);
      }
      expect((await auditTypes(id)).filter((type) => type === 'PASSKEY_COUNTER_REGRESSED')).toHaveLength(3);
      expect((await passkeyLogin(authenticator, { signCount: 11 })).errors).toBeUndefined();
    });

    it("refuses another user's credential id on an assertion signed by a different key", async () => {
      const ann = await userWithPasskey();
      const bob = await userWithPasskey();
      const forged = JSON.parse(bob.authenticator.assert(await loginOptions(), { userHandle: null }));
      const annHandle = JSON.parse(ann.authenticator.assert(await loginOptions())).response.userHandle;
      forged.id = forged.rawId = ann.authenticator.credentialId;
      forged.response.userHandle = annHandle;
      const res = await server.execute(FinishPasskeyLoginDocument, { response: JSON.stringify(forged) });
      expect(errorOf(res)).toEqual(PASSKEY_INVALID);
    });

    it('refuses unreadable answers alike', async () => {
      for (const response of [
        '',
        'null',
        '[]',
        '{}',
        'not json',
        '{"id":"x","rawId":"x","type":"public-key"}',
        'x'.repeat(40_000),
      ]) {
        expect(errorOf(await server.execute(FinishPasskeyLoginDocument, { response }))).toEqual(PASSKEY_INVALID);
      }
    });

    it('signs nobody in with a removed passkey', async () => {
      const { authenticator, accessToken, passkeyId } = await userWithPasskey();
      const removed = await server.execute(RemovePasskeyDocument, { id: passkeyId }, { token: accessToken });
      expect(removed.data!.removePasskey).toBe(true);
      expect(errorOf(await passkeyLogin(authenticator))).toEqual(PASSKEY_INVALID);
    });

    it("signs nobody in with a disabled user's passkey", async () => {
      const { id, authenticator } = await userWithPasskey();
      const adminLogin = await server.execute(LoginDocument, {
        email: 'passkey-admin@example.com',
        password: TEST_PASSWORD,
      });
      const disabled = await server.execute(
        SetUserDisabledDocument,
        { userId: id, disabled: true },
        { token: adminLogin.data!.login.accessToken },
      );
      expect(disabled.errors).toBeUndefined();
      expect(errorOf(await passkeyLogin(authenticator))).toEqual(PASSKEY_INVALID);
    });

    it('gives one challenge to one finish: of concurrent finishes, exactly one opens a session', async () => {
      const { authenticator } = await userWithPasskey(newAuthenticator(true));
      const response = authenticator.assert(await loginOptions());
      const sessionsBefore = await server.countRows('sessions');
      const results = await Promise.all(
        Array.from({ length: 6 }, () => server.execute(FinishPasskeyLoginDocument, { response })),
      );
      expect(results.filter((res) => res.data?.finishPasskeyLogin)).toHaveLength(1);
      expect(results.filter((res) => errorOf(res)?.extensions?.reason === 'PASSKEY_INVALID')).toHaveLength(5);
      expect(await server.countRows('sessions')).toBe(sessionsBefore + 1);
    });

    it('lets only one of two assertions with the same counter through', async () => {
      const { authenticator } = await userWithPasskey();
      const first = authenticator.assert(await loginOptions(), { signCount: 5 });
      const twin = authenticator.assert(await loginOptions(), { signCount: 5 });
      const results = await Promise.all([
        server.execute(FinishPasskeyLoginDocument, { response: first }),
        server.execute(FinishPasskeyLoginDocument, { response: twin }),
      ]);
      expect(results.filter((res) => res.data?.finishPasskeyLogin)).toHaveLength(1);
    });
  });

  describe('reauthentication (step-up)', () => {
    it("refreshes the caller's session with a passkey: same session, amr hwk, auth_time now", async () => {
      const user = await userWithPasskey();
      const { authenticator } = user;
      server.clock.advance(3600);
      const { accessToken } = await refreshed(user.refreshToken);
      const start = await server.execute(StartPasskeyReauthenticationDocument, {}, { token: accessToken });
      const options = JSON.parse(start.data!.startPasskeyReauthentication.options);
      expect(options.allowCredentials).toEqual([
        { id: authenticator.credentialId, type: 'public-key', transports: ['internal'] },
      ]);
      const res = await server.execute(
        FinishPasskeyReauthenticationDocument,
        { response: authenticator.assert(JSON.stringify(options)) },
        { token: accessToken },
      );
      expect(res.errors).toBeUndefined();
      const claims = claimsOf(res.data!.finishPasskeyReauthentication.accessToken);
      expect(claims).toMatchObject({ amr: ['hwk'], auth_time: Math.floor(server.clock.now() / 1000) });
      expect(claims.sid).toBe(claimsOf(accessToken).sid);
    });

    it("refuses another user's passkey, and a login challenge", async () => {
      const ann = await userWithPasskey();
      const bob = await userWithPasskey();
      const start = await server.execute(StartPasskeyReauthenticationDocument, {}, { token: ann.accessToken });
      const options = start.data!.startPasskeyReauthentication.options;
      const withBobs = await server.execute(
        FinishPasskeyReauthenticationDocument,
        { response: bob.authenticator.assert(options) },
        { token: ann.accessToken },
      );
      expect(errorOf(withBobs)).toEqual(PASSKEY_INVALID);
      const withLoginChallenge = await server.execute(
        FinishPasskeyReauthenticationDocument,
        { response: ann.authenticator.assert(await loginOptions()) },
        { token: ann.accessToken },
      );
      expect(errorOf(withLoginChallenge)).toEqual(PASSKEY_INVALID);
    });
  });

  describe('managing passkeys', () => {
    it("renames one's own passkey, and answers another user's as missing", async () => {
      const ann = await userWithPasskey();
      const bob = await signIn(nextEmail());
      const renamed = await server.execute(
        RenamePasskeyDocument,
        { id: ann.passkeyId, name: '  Phone  ' },
        { token: ann.accessToken },
      );
      expect(renamed.data!.renamePasskey).toEqual({ id: ann.passkeyId, name: 'Phone' });
      const byBob = await server.execute(
        RenamePasskeyDocument,
        { id: ann.passkeyId, name: 'Mine' },
        { token: bob.accessToken },
      );
      expect(errorOf(byBob)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
      const list = await server.execute(MyPasskeysDocument, {}, { token: ann.accessToken });
      expect(list.data!.myPasskeys[0]!.name).toBe('Phone');
    });

    it('removes only with a recent authentication, and keeps the sessions the passkey opened', async () => {
      const { id, authenticator, passkeyId } = await userWithPasskey();
      const viaPasskey = (await passkeyLogin(authenticator)).data!.finishPasskeyLogin;
      server.clock.advance(11 * 60);
      const { accessToken: token } = await refreshed(viaPasskey.refreshToken!);
      const stale = await server.execute(RemovePasskeyDocument, { id: passkeyId }, { token });
      expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'STEP_UP_REQUIRED' });

      const start = await server.execute(StartPasskeyReauthenticationDocument, {}, { token });
      const stepUp = await server.execute(
        FinishPasskeyReauthenticationDocument,
        { response: authenticator.assert(start.data!.startPasskeyReauthentication.options) },
        { token },
      );
      const stepped = stepUp.data!.finishPasskeyReauthentication.accessToken;
      const removed = await server.execute(RemovePasskeyDocument, { id: passkeyId }, { token: stepped });
      expect(removed.data!.removePasskey).toBe(true);
      const again = await server.execute(RemovePasskeyDocument, { id: passkeyId }, { token: stepped });
      expect(again.data!.removePasskey).toBe(false);
      // The session the passkey opened goes on.
      expect((await server.execute(MeDocument, {}, { token: stepped })).data!.me).toMatchObject({ id });
      expect(await auditTypes(id)).toContain('PASSKEY_REMOVED');
    });

    it("answers false for another user's passkey and removes nothing", async () => {
      const ann = await userWithPasskey();
      const bob = await signIn(nextEmail());
      const res = await server.execute(RemovePasskeyDocument, { id: ann.passkeyId }, { token: bob.accessToken });
      expect(res.data!.removePasskey).toBe(false);
      const list = await server.execute(MyPasskeysDocument, {}, { token: ann.accessToken });
      expect(list.data!.myPasskeys).toHaveLength(1);
    });
  });

  /** A new access token for a session whose last one has expired (the clock moved on). */
  async function refreshed(refreshToken: string): Promise<{ accessToken: string; refreshToken: string }> {
    const res = await server.execute(RefreshDocument, { refreshToken });
    expect(res.errors).toBeUndefined();
    return { accessToken: res.data!.refresh.accessToken, refreshToken: res.data!.refresh.refreshToken! };
  }
});

describeEachDatabase('passkeys: throttling', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { LOGIN_MAX_FAILURES_PER_IP: '3' } });
  });
  afterAll(() => server.close());

  it('counts failed passkey logins per address with failed password logins, and refuses past the limit', async () => {
    await server.execute(LoginDocument, { email: 'nobody@example.com', password: 'wrong password here' });
    for (let i = 0; i < 2; i++) {
      const res = await server.execute(FinishPasskeyLoginDocument, { response: '{}' });
      expect(res.errors?.[0]?.extensions?.reason).toBe('PASSKEY_INVALID');
    }
    const refused = await server.execute(FinishPasskeyLoginDocument, { response: '{}' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('limits anonymous ceremony starts per address (each stores a challenge), successes included', async () => {
    for (let i = 0; i < 100; i++) {
      expect((await server.execute(StartPasskeyLoginDocument, {})).errors).toBeUndefined();
    }
    const refused = await server.execute(StartPasskeyLoginDocument, {});
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    server.clock.advance(300);
    expect((await server.execute(StartPasskeyLoginDocument, {})).errors).toBeUndefined();
  });
});

describeEachDatabase('passkeys with REQUIRE_VERIFIED_EMAIL', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { REQUIRE_VERIFIED_EMAIL: 'true' } });
  });
  afterAll(() => server.close());

  const setVerified = (userId: string, at: number | null) =>
    server.app.services.database.db
      .updateTable('users')
      .set({ email_verified_at: at })
      .where('id', '=', userId)
      .execute();

  it('answers EMAIL_NOT_VERIFIED after a full passkey proof, and opens no session', async () => {
    const user = await server.createUser('unverified-passkey@example.com');
    await setVerified(user.id, server.clock.now());
    const login = await server.execute(LoginDocument, { email: user.email, password: TEST_PASSWORD });
    const token = login.data!.login.accessToken;
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN, rpId: 'localhost' });
    const start = await server.execute(StartPasskeyRegistrationDocument, { currentPassword: TEST_PASSWORD }, { token });
    const registered = await server.execute(
      FinishPasskeyRegistrationDocument,
      { response: authenticator.register(start.data!.startPasskeyRegistration.options) },
      { token },
    );
    expect(registered.errors).toBeUndefined();
    // The deployment turned the requirement on for an address that was never proven.
    await setVerified(user.id, null);
    const sessions = await server.countRows('sessions');
    const options = (await server.execute(StartPasskeyLoginDocument, {})).data!.startPasskeyLogin.options;
    const res = await server.execute(FinishPasskeyLoginDocument, { response: authenticator.assert(options) });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'EMAIL_NOT_VERIFIED' });
    expect(await server.countRows('sessions')).toBe(sessions);
  });
});
