import { RevocationList } from '../../src/auth/revocation/revocation-list';
import { Role } from '../../src/auth/roles';
import type { Viewer } from '../../src/auth/tokens';
import { testViewer } from '../helpers/viewers';
import { createRefreshTokenCrypto } from '../../src/auth/refresh-tokens';
import { TestClock } from '../helpers/clock';

const viewer = (overrides: Partial<Viewer> = {}): Viewer =>
  testViewer('user-1', [Role.USER], { sessionId: 'session-1', ...overrides });

describe('RevocationList', () => {
  const TTL = 15 * 60 * 1000;

  it('revokes tokens of an ended session and nothing else', () => {
    const clock = new TestClock();
    const list = new RevocationList(clock.now);
    list.apply({ kind: 'session-ended', sessionId: 'session-1', until: clock.now() + TTL });
    expect(list.check(viewer())).toBe('TOKEN_REVOKED');
    expect(list.check(viewer({ sessionId: 'session-2' }))).toBeNull();
  });

  it('marks tokens older than the current roles version stale, and not newer ones', () => {
    const clock = new TestClock();
    const list = new RevocationList(clock.now);
    list.apply({ kind: 'roles-changed', userId: 'user-1', rolesVersion: 3, until: clock.now() + TTL });
    expect(list.check(viewer({ rolesVersion: 2 }))).toBe('TOKEN_STALE');
    expect(list.check(viewer({ rolesVersion: 3 }))).toBeNull();
    // A late, older message never lowers the version.
    list.apply({ kind: 'roles-changed', userId: 'user-1', rolesVersion: 2, until: clock.now() + TTL });
    expect(list.check(viewer({ rolesVersion: 2 }))).toBe('TOKEN_STALE');
  });

  it('forgets entries once every token they could affect has expired, keeping memory bounded', () => {
    const clock = new TestClock();
    const list = new RevocationList(clock.now);
    for (let i = 0; i < 1000; i++) {
      list.apply({ kind: 'session-ended', sessionId: `s${i}`, until: clock.now() + TTL });
      clock.advance(0.001);
    }
    expect(list.size.sessions).toBe(1000);
    // Now 1 s after the first; half a second short of the last's deadline: s0..s500 can go.
    clock.advance(TTL / 1000 - 0.5);
    list.sweep();
    expect(list.size.sessions).toBe(499);
    expect(list.check(viewer({ sessionId: 's999' }))).toBe('TOKEN_REVOKED');
    clock.advance(TTL / 1000);
    list.sweep();
    expect(list.size).toEqual({ sessions: 0, users: 0 });
  });

  it('ignores events that no longer matter', () => {
    const clock = new TestClock();
    const list = new RevocationList(clock.now);
    list.apply({ kind: 'session-ended', sessionId: 'old', until: clock.now() - 1 });
    expect(list.size.sessions).toBe(0);
  });
});

describe('refresh-token crypto', () => {
  const crypto = createRefreshTokenCrypto(Buffer.from('k'.repeat(32)));

  it('generates 256-bit base64url tokens that are never the same', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => crypto.generate()));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(crypto.isWellFormed(token)).toBe(true);
  });

  it('derives one successor per token, unguessable without the key', () => {
    const token = crypto.generate();
    expect(crypto.successor(token)).toBe(crypto.successor(token));
    expect(crypto.successor(token)).not.toBe(crypto.successor(crypto.generate()));
    expect(crypto.isWellFormed(crypto.successor(token))).toBe(true);
    const other = createRefreshTokenCrypto(Buffer.from('j'.repeat(32)));
    expect(other.successor(token)).not.toBe(crypto.successor(token));
  });

  it('stores a SHA-256 hex digest, not the token', () => {
    const token = crypto.generate();
    expect(crypto.hash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(crypto.hash(token)).not.toContain(token);
  });

  it.each(['', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`])(
    'rejects %p as malformed',
    (t) => {
      expect(crypto.isWellFormed(t)).toBe(false);
    },
  );
});
