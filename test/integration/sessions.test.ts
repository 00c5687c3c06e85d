import { createHash } from 'node:crypto';
import {
  ChangePasswordDocument,
  LoginDocument,
  LogoutAllDocument,
  LogoutDocument,
  MeDocument,
  MySessionsDocument,
  RefreshDocument,
  RevokeSessionDocument,
  type RefreshMutation,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_PASSWORD, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server';

const GRACE = 10;

describeEachDatabase('sessions and refresh tokens', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  let n = 0;
  const freshUser = () => server.signIn(`sessions-${++n}@example.com`);
  const refresh = (refreshToken: string): Promise<GraphQLResponse<RefreshMutation>> =>
    server.execute(RefreshDocument, { refreshToken });
  const reasonOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.reason;
  const me = (token: string) => server.execute(MeDocument, {}, { token });

  it('login returns a refresh token of 256 bits and its lifetime; the access token names the session', async () => {
    const res = await server.execute(LoginDocument, {
      email: (await server.createUser('pair@example.com')).email,
      password: TEST_PASSWORD,
    });
    const { refreshToken, refreshExpiresIn, accessToken } = res.data!.login;
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(refreshExpiresIn).toBe(7 * 86400);
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString());
    expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('R1: a refresh token is single-use: it rotates, and never yields a second new pair', async () => {
    const user = await freshUser();
    const first = await refresh(user.refreshToken);
    expect(first.errors).toBeUndefined();
    const next = first.data!.refresh;
    expect(next.refreshToken).not.toBe(user.refreshToken);
    expect(next.accessToken).not.toBe(user.accessToken);
    expect((await me(next.accessToken)).data!.me!.id).toBe(user.id);

    // Within the grace window the old token answers with the very same pair, nothing new.
    const again = await refresh(user.refreshToken);
    expect(again.data!.refresh).toEqual(next);

    server.clock.advance(GRACE + 1);
    const late = await refresh(user.refreshToken);
    expect(late.data).toBeNull();
    expect(reasonOf(late)).toBe('REFRESH_TOKEN_REUSED');
  });

  it('R2: replaying the first token after three rotations ends every token of the session', async () => {
    const user = await freshUser();
    const tokens = [user.refreshToken];
    const accessTokens = [user.accessToken];
    for (let i = 0; i < 3; i++) {
      server.clock.advance(1);
      const res = await refresh(tokens.at(-1)!);
      tokens.push(res.data!.refresh.refreshToken!);
      accessTokens.push(res.data!.refresh.accessToken);
    }
    server.clock.advance(GRACE + 1);
    const replay = await refresh(tokens[0]!);
    expect(reasonOf(replay)).toBe('REFRESH_TOKEN_REUSED');

    for (const token of tokens) {
      expect(reasonOf(await refresh(token))).toMatch(/^REFRESH_TOKEN_(INVALID|REUSED)$/);
    }
    expect(reasonOf(await refresh(tokens.at(-1)!))).toBe('REFRESH_TOKEN_INVALID');
    for (const token of accessTokens) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    }
    const audit = await server.app.services.auditEvents.list(10, null, user.id);
    expect(audit.events.map((e) => e.type)).toContain('REFRESH_TOKEN_REUSED');
  });

  it('R3: 20 concurrent refreshes with one token all get the identical pair, and one rotation is written', async () => {
    const user = await freshUser();
    const rowsBefore = await server.countRows('refresh_tokens');
    const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(user.refreshToken)));
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    const distinct = new Set(answers.map((a) => JSON.stringify(a.data!.refresh)));
    expect(distinct.size).toBe(1);
    expect(await server.countRows('refresh_tokens')).toBe(rowsBefore + 1);
    const pair = answers[0]!.data!.refresh;
    expect((await me(pair.accessToken)).status).toBe(200);
    expect((await refresh(pair.refreshToken!)).errors).toBeUndefined();
  });

  it('records every replay within the grace window, saying whether it came from the first caller', async () => {
    const user = await freshUser();
    const first = await server.execute(
      RefreshDocument,
      { refreshToken: user.refreshToken },
      { headers: { 'user-agent': 'tab' } },
    );
    expect(first.errors).toBeUndefined();
    server.clock.advance(GRACE - 1);
    const sameTab = await server.execute(
      RefreshDocument,
      { refreshToken: user.refreshToken },
      { headers: { 'user-agent': 'tab' } },
    );
    const thief = await server.execute(
      RefreshDocument,
      { refreshToken: user.refreshToken },
      { headers: { 'user-agent': 'curl' } },
    );
    expect(sameTab.data).toEqual(first.data);
    expect(thief.data).toEqual(first.data);

    const audit = await server.app.services.auditEvents.list(10, null, user.id);
    const replays = audit.events.filter((e) => e.type === 'REFRESH_TOKEN_REPLAYED');
    // Events of the same millisecond have no defined order.
    const seen = replays.map((e) => [e.userAgent, JSON.parse(e.details!)]).sort();
    expect(seen).toEqual([
      ['curl', { sameClient: false }],
      ['tab', { sameClient: true }],
    ]);
    expect(replays.every((e) => e.ip === '127.0.0.1' && e.sessionId !== null)).toBe(true);
  });

  it('records at most five replays of one rotated token: a client may replay as often as it likes', async () => {
    const user = await freshUser();
    const first = await refresh(user.refreshToken);
    for (let i = 0; i < 11; i++) expect((await refresh(user.refreshToken)).data).toEqual(first.data);
    const audit = await server.app.services.auditEvents.list(50, null, user.id);
    expect(audit.events.filter((e) => e.type === 'REFRESH_TOKEN_REPLAYED')).toHaveLength(5);
  });

  it('records at most five replays even when forty arrive at once', async () => {
    const user = await freshUser();
    await refresh(user.refreshToken);
    await Promise.all(Array.from({ length: 40 }, () => refresh(user.refreshToken)));
    const audit = await server.app.services.auditEvents.list(100, null, user.id);
    expect(audit.events.filter((e) => e.type === 'REFRESH_TOKEN_REPLAYED')).toHaveLength(5);
  });

  it('refuses malformed, unknown and missing refresh tokens, changing nothing', async () => {
    const rows = await server.countRows('refresh_tokens');
    for (const token of ['', 'short', 'x'.repeat(43), 'A'.repeat(5000), "' OR 1=1 --"]) {
      const res = await refresh(token);
      expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'REFRESH_TOKEN_INVALID' });
    }
    const none = await server.execute(RefreshDocument, {});
    expect(reasonOf(none)).toBe('REFRESH_TOKEN_INVALID');
    expect(await server.countRows('refresh_tokens')).toBe(rows);
  });

  it('stores only SHA-256 hashes of refresh tokens', async () => {
    const user = await freshUser();
    const rotated = (await refresh(user.refreshToken)).data!.refresh.refreshToken!;
    const { db } = server.app.services.database;
    const stored = await db.selectFrom('refresh_tokens').select('token_hash').execute();
    const all = JSON.stringify(await db.selectFrom('sessions').selectAll().execute()) + JSON.stringify(stored);
    for (const token of [user.refreshToken, rotated]) {
      expect(all).not.toContain(token);
      const hash = createHash('sha256').update(token).digest('hex');
      expect(stored.map((row) => row.token_hash)).toContain(hash);
    }
  });

  it('logout ends the session: its access token is refused on the very next request, its refresh token too', async () => {
    const user = await freshUser();
    expect((await me(user.accessToken)).status).toBe(200);
    const res = await server.execute(LogoutDocument, {}, { token: user.accessToken });
    expect(res.data).toEqual({ logout: true });
    const after = await me(user.accessToken);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(after.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    expect(reasonOf(await refresh(user.refreshToken))).toBe('REFRESH_TOKEN_INVALID');
  });

  it('picks up sessions ended elsewhere (a lost bus message) at the next reload from the database', async () => {
    const user = await freshUser();
    await server.app.services.database.db
      .updateTable('sessions')
      .set({ ended_at: server.clock.now(), end_reason: 'revoked' })
      .where('user_id', '=', user.id)
      .execute();
    expect((await me(user.accessToken)).status).toBe(200);
    await server.app.services.revocations.reload();
    const after = await me(user.accessToken);
    expect(after.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
  });

  it('logoutAll ends every session and counts them; keepCurrent spares this one', async () => {
    const user = await freshUser();
    const second = await server.execute(LoginDocument, { email: `sessions-${n}@example.com`, password: TEST_PASSWORD });
    const third = await server.execute(LoginDocument, { email: `sessions-${n}@example.com`, password: TEST_PASSWORD });

    const kept = await server.execute(LogoutAllDocument, { keepCurrent: true }, { token: user.accessToken });
    expect(kept.data).toEqual({ logoutAll: 2 });
    expect((await me(user.accessToken)).status).toBe(200);
    expect((await me(second.data!.login.accessToken)).status).toBe(401);
    expect((await me(third.data!.login.accessToken)).status).toBe(401);

    const all = await server.execute(LogoutAllDocument, {}, { token: user.accessToken });
    expect(all.data).toEqual({ logoutAll: 1 });
    expect((await me(user.accessToken)).status).toBe(401);
  });

  it('mySessions lists open sessions with the current one marked; revokeSession ends one of mine only', async () => {
    const user = await freshUser();
    const other = await server.execute(
      LoginDocument,
      { email: `sessions-${n}@example.com`, password: TEST_PASSWORD },
      { headers: { 'user-agent': 'TestPhone/1.0' } },
    );
    const list = await server.execute(MySessionsDocument, {}, { token: user.accessToken });
    expect(list.errors).toBeUndefined();
    expect(list.data!.mySessions).toHaveLength(2);
    expect(list.data!.mySessions.filter((s) => s.current)).toHaveLength(1);
    const phone = list.data!.mySessions.find((s) => s.userAgent === 'TestPhone/1.0')!;
    expect(phone.current).toBe(false);
    expect(phone.ip).toBe('127.0.0.1');

    const stranger = await freshUser();
    const denied = await server.execute(RevokeSessionDocument, { id: phone.id }, { token: stranger.accessToken });
    expect(denied.data).toEqual({ revokeSession: false });
    expect((await me(other.data!.login.accessToken)).status).toBe(200);

    const revoked = await server.execute(RevokeSessionDocument, { id: phone.id }, { token: user.accessToken });
    expect(revoked.data).toEqual({ revokeSession: true });
    expect((await me(other.data!.login.accessToken)).status).toBe(401);
    const again = await server.execute(RevokeSessionDocument, { id: phone.id }, { token: user.accessToken });
    expect(again.data).toEqual({ revokeSession: false });
  });

  it('changePassword checks the current password, applies the rules, and ends every other session', async () => {
    const user = await freshUser();
    const email = `sessions-${n}@example.com`;
    const elsewhere = await server.execute(LoginDocument, { email, password: TEST_PASSWORD });

    const wrong = await server.execute(
      ChangePasswordDocument,
      { currentPassword: 'not my password', newPassword: 'a brand new password' },
      { token: user.accessToken },
    );
    expect(wrong.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const weak = await server.execute(
      ChangePasswordDocument,
      { currentPassword: TEST_PASSWORD, newPassword: 'short' },
      { token: user.accessToken },
    );
    expect(weak.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect((await me(elsewhere.data!.login.accessToken)).status).toBe(200);

    const ok = await server.execute(
      ChangePasswordDocument,
      { currentPassword: TEST_PASSWORD, newPassword: 'a brand new password' },
      { token: user.accessToken },
    );
    expect(ok.data).toEqual({ changePassword: true });
    expect((await me(user.accessToken)).status).toBe(200);
    const other = await me(elsewhere.data!.login.accessToken);
    expect(other.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    expect(reasonOf(await refresh(elsewhere.data!.login.refreshToken!))).toBe('REFRESH_TOKEN_INVALID');

    expect(reasonOf(await server.execute(LoginDocument, { email, password: TEST_PASSWORD }))).toBe(
      'INVALID_CREDENTIALS',
    );
    expect((await server.execute(LoginDocument, { email, password: 'a brand new password' })).errors).toBeUndefined();
  });

  it('ends a session after 7 days without a refresh (idle timeout)', async () => {
    const user = await freshUser();
    server.clock.advance(6 * 86400);
    const kept = await refresh(user.refreshToken);
    expect(kept.errors).toBeUndefined();
    server.clock.advance(7 * 86400 + 1);
    const idle = await refresh(kept.data!.refresh.refreshToken!);
    expect(reasonOf(idle)).toBe('SESSION_EXPIRED');
    expect(reasonOf(await refresh(kept.data!.refresh.refreshToken!))).toBe('SESSION_EXPIRED');
  });

  it('ends a session 30 days after login however often it is refreshed (absolute lifetime)', async () => {
    const user = await freshUser();
    let token = user.refreshToken;
    let last: GraphQLResponse<RefreshMutation> | undefined;
    for (let day = 6; day < 30; day += 6) {
      server.clock.advance(6 * 86400);
      last = await refresh(token);
      expect(last.errors).toBeUndefined();
      token = last.data!.refresh.refreshToken!;
    }
    // Day 24: the refresh token now lives only until day 30, and no access token outlives the session.
    expect(last!.data!.refresh.refreshExpiresIn).toBe(6 * 86400);
    server.clock.advance(6 * 86400);
    expect(reasonOf(await refresh(token))).toBe('SESSION_EXPIRED');
  });
  // Last in this suite: it moves the shared clock by a month.
  it('deletes sessions 30 days after they ended, with their refresh tokens, and keeps open ones', async () => {
    const { db } = server.app.services.database;
    const gone = await freshUser();
    await server.execute(LogoutDocument, {}, { token: gone.accessToken });
    const kept = await freshUser();
    const rowsOf = async (userId: string) => {
      const sessions = await db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute();
      const tokens = sessions.length
        ? await db
            .selectFrom('refresh_tokens')
            .select('token_hash')
            .where(
              'session_id',
              'in',
              sessions.map((row) => row.id),
            )
            .execute()
        : [];
      return { sessions: sessions.length, tokens: tokens.length };
    };
    expect(await rowsOf(gone.id)).toEqual({ sessions: 1, tokens: 1 });

    server.clock.advance(29 * 86400);
    await server.app.services.housekeeping.purge();
    expect(await rowsOf(gone.id)).toEqual({ sessions: 1, tokens: 1 });

    server.clock.advance(2 * 86400);
    expect(await server.app.services.housekeeping.purge()).toBeGreaterThanOrEqual(1);
    expect(await rowsOf(gone.id)).toEqual({ sessions: 0, tokens: 0 });
    // The other session reached its 30-day end a day ago; it stays until 30 days after that.
    expect(await rowsOf(kept.id)).toEqual({ sessions: 1, tokens: 1 });
  });
});
