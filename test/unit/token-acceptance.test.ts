import { RevocationList } from '../../src/auth/revocation/revocation-list';
import { Role } from '../../src/auth/roles';
import {
  CLOCK_SKEW_SECONDS,
  INSTANCE_CLOCK_ALLOWANCE_SECONDS,
  createAccessTokens,
  refusedFromMs,
  type AccessTokens,
} from '../../src/auth/tokens';
import { InvalidTokenError } from '../../src/errors/domain-errors';
import { TestClock } from '../helpers/clock';
import { baseClaims, forgeHmac } from '../helpers/forge';
import { TEST_JWT_SECRET } from '../helpers/test-server';
import { testViewer } from '../helpers/viewers';

/*
 * One rule says when a token stops being accepted (refusedFromMs), and revocations are
 * kept for as long as that rule can still accept a token they revoke (maxAcceptanceMs).
 * These pin both numbers to the millisecond, so the two cannot drift apart again.
 */
const SUBJECT = { id: 'user-1', roles: [Role.USER], sessionId: 'session-1', rolesVersion: 1 };

const tokensAt = (clock: TestClock, ttlSeconds: number): AccessTokens =>
  createAccessTokens({
    secret: Buffer.from(TEST_JWT_SECRET),
    issuer: 'tollgate',
    audience: 'tollgate-api',
    ttlSeconds,
    now: clock.now,
  });

const expOf = (token: string): number =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;

const moveTo = (clock: TestClock, ms: number): void => {
  clock.advance((ms - clock.now()) / 1000);
  expect(clock.now()).toBe(ms);
};

function verdict(tokens: AccessTokens, token: string): string {
  try {
    tokens.verify(token);
    return 'accepted';
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
}

// A whole second, and a clock 1 ms short of the next one (iat is floored to the second).
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
// iat is floored to the second: a clock on a whole second, and one 1 ms short of the next.
const STARTS: Array<[string, number]> = [
  ['on a whole second', T0],
  ['999 ms into a second', T0 + 999],
];
const TTLS = [30, 900];

describe('refusedFromMs: when a token stops being accepted', () => {
  it('is the skew past exp, in milliseconds', () => {
    expect(refusedFromMs(1_000)).toBe((1_000 + CLOCK_SKEW_SECONDS) * 1000);
  });

  describe.each(TTLS)('with a %i s lifetime', (ttl) => {
    it.each(STARTS)(
      'accepts a never-seen token 1 ms before refusedFromMs(exp), refuses it from then (clock %s)',
      (_, start) => {
        const clock = new TestClock(start);
        const tokens = tokensAt(clock, ttl);
        // Two tokens with the same exp, so each is verified for the first time at its instant.
        const early = tokens.issue(SUBJECT).token;
        const late = tokens.issue(SUBJECT).token;
        expect(expOf(late)).toBe(expOf(early));

        moveTo(clock, refusedFromMs(expOf(early)) - 1);
        expect(verdict(tokens, early)).toBe('accepted');
        moveTo(clock, refusedFromMs(expOf(late)));
        expect(verdict(tokens, late)).toBe('TOKEN_EXPIRED');
      },
    );

    it.each(STARTS)('gives the same answers for a token already verified and cached (clock %s)', (_, start) => {
      const clock = new TestClock(start);
      const tokens = tokensAt(clock, ttl);
      const { token } = tokens.issue(SUBJECT);
      expect(verdict(tokens, token)).toBe('accepted');

      moveTo(clock, refusedFromMs(expOf(token)) - 1);
      expect(verdict(tokens, token)).toBe('accepted');
      moveTo(clock, refusedFromMs(expOf(token)));
      expect(verdict(tokens, token)).toBe('TOKEN_EXPIRED');
      // Refused for good: the cache does not bring it back.
      expect(verdict(tokens, token)).toBe('TOKEN_EXPIRED');
    });
  });
});

describe('maxAcceptanceMs: how long a revocation must be kept', () => {
  it.each(TTLS)('is ttl + skew + instance clock allowance, in milliseconds (ttl %i s)', (ttl) => {
    expect(tokensAt(new TestClock(), ttl).maxAcceptanceMs).toBe(
      (ttl + CLOCK_SKEW_SECONDS + INSTANCE_CLOCK_ALLOWANCE_SECONDS) * 1000,
    );
  });

  const ALLOWANCE_MS = INSTANCE_CLOCK_ALLOWANCE_SECONDS * 1000;
  // How far ahead of the revoking instance the issuing instance's clock runs (negative: behind).
  const AHEAD_MS = [-60_000, -1, 0, 1, 999, ALLOWANCE_MS - 1, ALLOWANCE_MS];

  describe.each(TTLS)('with a %i s lifetime', (ttl) => {
    it.each(
      STARTS.flatMap(([label, start]) => AHEAD_MS.map((ahead): [string, number, number] => [label, ahead, start])),
    )(
      'covers a token issued at the revocation by an instance whose clock is ahead (revoked %s, issuer ahead by %i ms)',
      (_, ahead, revokedAt) => {
        const revoking = new TestClock(revokedAt);
        const issuing = new TestClock(revokedAt + ahead);
        const { token } = tokensAt(issuing, ttl).issue(SUBJECT);
        const kept = revokedAt + tokensAt(revoking, ttl).maxAcceptanceMs;

        expect(kept).toBeGreaterThanOrEqual(refusedFromMs(expOf(token)));
        // Every instance compares `until` with its own clock, as it does exp: wherever the entry
        // goes at `kept`, the token is refused there for its age.
        moveTo(revoking, kept);
        expect(verdict(tokensAt(revoking, ttl), token)).toBe('TOKEN_EXPIRED');
      },
    );

    it('is no longer than it must be: the worst-case token is still accepted 1 ms before it ends', () => {
      const revokedAt = T0;
      const issuing = new TestClock(revokedAt + ALLOWANCE_MS);
      const tokens = tokensAt(issuing, ttl);
      const { token } = tokens.issue(SUBJECT);
      const kept = revokedAt + tokens.maxAcceptanceMs;
      moveTo(issuing, kept - 1);
      expect(verdict(tokens, token)).toBe('accepted');
      expect(refusedFromMs(expOf(token))).toBe(kept);
    });
  });

  it('keeps a revocation entry for as long as the token it revokes verifies', () => {
    const clock = new TestClock();
    const tokens = tokensAt(clock, 30);
    const list = new RevocationList(clock.now);
    const { token } = tokens.issue(SUBJECT);
    const viewer = tokens.verify(token);
    clock.advance(0.4);
    list.apply({ kind: 'session-ended', sessionId: SUBJECT.sessionId, until: clock.now() + tokens.maxAcceptanceMs });

    moveTo(clock, refusedFromMs(viewer.expiresAt) - 1);
    list.sweep();
    expect(verdict(tokens, token)).toBe('accepted');
    expect(list.check(viewer)).toBe('TOKEN_REVOKED');
  });
});

describe('RevocationList: how long an entry is kept', () => {
  const WINDOW = 65_000;
  const ended = (sessionId: string, until: number) => ({ kind: 'session-ended' as const, sessionId, until });
  const rolesChanged = (userId: string, rolesVersion: number, until: number) => ({
    kind: 'roles-changed' as const,
    userId,
    rolesVersion,
    until,
  });
  const inSession = (sessionId: string) => testViewer('user-1', [Role.USER], { sessionId });
  const withRolesVersion = (rolesVersion: number) => testViewer('user-1', [Role.USER], { rolesVersion });

  it('keeps an ended session through until − 1 and drops it at until', () => {
    const clock = new TestClock(T0);
    const list = new RevocationList(clock.now);
    list.apply(ended('session-1', T0 + WINDOW));

    moveTo(clock, T0 + WINDOW - 1);
    list.sweep();
    expect(list.check(inSession('session-1'))).toBe('TOKEN_REVOKED');
    moveTo(clock, T0 + WINDOW);
    list.sweep();
    expect(list.check(inSession('session-1'))).toBeNull();
    expect(list.size).toEqual({ sessions: 0, users: 0 });
  });

  it('keeps a roles change through until − 1 and drops it at until', () => {
    const clock = new TestClock(T0);
    const list = new RevocationList(clock.now);
    list.apply(rolesChanged('user-1', 2, T0 + WINDOW));

    moveTo(clock, T0 + WINDOW - 1);
    list.sweep();
    expect(list.check(withRolesVersion(1))).toBe('TOKEN_STALE');
    moveTo(clock, T0 + WINDOW);
    list.sweep();
    expect(list.check(withRolesVersion(1))).toBeNull();
  });

  it('keeps the same bounds when the sweep is the side effect of another revocation', () => {
    const clock = new TestClock(T0);
    const list = new RevocationList(clock.now);
    list.apply(ended('session-1', T0 + WINDOW));
    list.apply(rolesChanged('user-1', 2, T0 + WINDOW));

    moveTo(clock, T0 + WINDOW - 1);
    list.apply(ended('someone-else-1', clock.now() + WINDOW));
    expect(list.check(inSession('session-1'))).toBe('TOKEN_REVOKED');
    expect(list.check(withRolesVersion(1))).toBe('TOKEN_STALE');

    moveTo(clock, T0 + WINDOW);
    list.apply(ended('someone-else-2', clock.now() + WINDOW));
    expect(list.check(inSession('session-1'))).toBeNull();
    expect(list.check(withRolesVersion(1))).toBeNull();
    expect(list.size).toEqual({ sessions: 2, users: 0 });
  });

  it('does not shorten an ended session when the same fact is heard again with an earlier until', () => {
    const clock = new TestClock(T0);
    const list = new RevocationList(clock.now);
    // Announced live, counted from the announcement; then reloaded, counted from the stored time.
    list.apply(ended('session-1', T0 + 2_000 + WINDOW));
    list.apply(ended('session-1', T0 + WINDOW));

    moveTo(clock, T0 + WINDOW);
    list.apply(ended('someone-else', clock.now() + WINDOW));
    expect(list.check(inSession('session-1'))).toBe('TOKEN_REVOKED');
    moveTo(clock, T0 + 2_000 + WINDOW - 1);
    list.sweep();
    expect(list.check(inSession('session-1'))).toBe('TOKEN_REVOKED');
    moveTo(clock, T0 + 2_000 + WINDOW);
    list.sweep();
    expect(list.check(inSession('session-1'))).toBeNull();
  });

  it.each<[string, number[]]>([
    ['the later one first', [T0 + 2_000 + WINDOW, T0 + WINDOW]],
    ['the earlier one first', [T0 + WINDOW, T0 + 2_000 + WINDOW]],
  ])('keeps the later until of the same roles version heard twice (%s)', (_order, untils) => {
    const clock = new TestClock(T0);
    const list = new RevocationList(clock.now);
    for (const until of untils) list.apply(rolesChanged('user-1', 2, until));

    moveTo(clock, T0 + 2_000 + WINDOW - 1);
    list.apply(ended('someone-else', clock.now() + WINDOW));
    expect(list.check(withRolesVersion(1))).toBe('TOKEN_STALE');
    expect(list.check(withRolesVersion(2))).toBeNull();
    moveTo(clock, T0 + 2_000 + WINDOW);
    list.sweep();
    expect(list.check(withRolesVersion(1))).toBeNull();
  });

  it('never lets an older roles version replace a newer one, whatever its until', () => {
    const clock = new TestClock(T0);
    const list = new RevocationList(clock.now);
    list.apply(rolesChanged('user-1', 3, T0 + WINDOW));
    for (const until of [T0 + 1, T0 + WINDOW, T0 + 10 * WINDOW]) {
      list.apply(rolesChanged('user-1', 2, until));
      expect(list.check(withRolesVersion(2))).toBe('TOKEN_STALE');
      expect(list.check(withRolesVersion(3))).toBeNull();
    }
    moveTo(clock, T0 + WINDOW - 1);
    list.sweep();
    expect(list.check(withRolesVersion(2))).toBe('TOKEN_STALE');
  });
});

describe('what this server allows a token to be', () => {
  const clock = new TestClock(T0);
  const tokens = createAccessTokens({
    secret: Buffer.from(TEST_JWT_SECRET),
    issuer: 'tollgate',
    audience: 'tollgate-api',
    ttlSeconds: 30,
    now: clock.now,
  });
  const nowSeconds = Math.floor(T0 / 1000);
  const signed = (overrides: Record<string, unknown>) =>
    forgeHmac({ claims: baseClaims(nowSeconds, { roles: ['USER'], ...overrides }) });

  it('refuses a token signed to live longer than ACCESS_TOKEN_TTL (revocations are sized by it), as expired', () => {
    // Signed by this key before the lifetime was lowered from 5 minutes: revocations made then outlived it.
    expect(verdict(tokens, signed({ iat: nowSeconds, exp: nowSeconds + 300 }))).toBe('TOKEN_EXPIRED');
    expect(verdict(tokens, signed({ iat: nowSeconds, exp: nowSeconds + 31 }))).toBe('TOKEN_EXPIRED');
    expect(verdict(tokens, signed({ iat: nowSeconds, exp: nowSeconds + 30 }))).toBe('accepted');
  });

  it('refuses a token from further in the future than instance clocks may differ', () => {
    const ahead = nowSeconds + INSTANCE_CLOCK_ALLOWANCE_SECONDS;
    expect(verdict(tokens, signed({ iat: ahead, exp: ahead + 30 }))).toBe('accepted');
    expect(verdict(tokens, signed({ iat: ahead + 1, exp: ahead + 31 }))).toBe('TOKEN_INVALID');
  });
});
