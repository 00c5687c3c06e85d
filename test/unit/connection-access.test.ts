import pino from 'pino';
import type { RevocationVerdict } from '../../src/auth/revocation/revocation-list';
import { refusedFromMs, type Viewer } from '../../src/auth/tokens';
import { ServiceUnavailableError } from '../../src/errors/domain-errors';
import { AccessSweep, MAX_CONCURRENT_ACCESS_CHECKS } from '../../src/subscriptions/access-sweep';
import type { CloseReason } from '../../src/subscriptions/close-codes';
import { ConnectionAccess, closeIfAccessEnded, type RevocationCheck } from '../../src/subscriptions/connection-access';
import type { TrackedConnection } from '../../src/subscriptions/connection-registry';
import { deliverWhileAllowed } from '../../src/subscriptions/delivery-gate';

const log = pino({ level: 'silent' });
const EXP = 2_000_000_000;

function viewer(sessionId = 's1', rolesVersion = 0): Viewer {
  return { id: 'u1', roles: [], sessionId, rolesVersion, tokenId: 't', issuedAt: EXP - 900, expiresAt: EXP };
}

/** A database check the test answers by hand, counting how many were started. */
function heldChecks() {
  const pending: Array<{ viewer: Viewer; answer: (verdict: RevocationVerdict | Error) => void }> = [];
  let running = 0;
  let mostAtOnce = 0;
  const check: RevocationCheck = (asked) =>
    new Promise<RevocationVerdict>((resolve, reject) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      pending.push({
        viewer: asked,
        answer: (verdict) => {
          running -= 1;
          if (verdict instanceof Error) reject(verdict);
          else resolve(verdict);
        },
      });
    });
  return {
    check,
    pending,
    get mostAtOnce() {
      return mostAtOnce;
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

class FakeConnection implements TrackedConnection {
  closes: Array<{ code: number; reason: CloseReason }> = [];
  readonly address = '192.0.2.1';
  readonly log = log;
  constructor(public viewer: Viewer | null) {}

  close(code: number, reason: CloseReason): void {
    this.closes.push({ code, reason });
  }
}

describe('the access of an open connection', () => {
  it('ends at the first refused millisecond of its token (4403 TOKEN_EXPIRED), not one before', () => {
    let now = refusedFromMs(EXP) - 1;
    const access = new ConnectionAccess(
      () => null,
      () => now,
    );
    expect(access.check(viewer(), log)).toBeNull();
    now += 1;
    expect(access.check(viewer(), log)).toEqual({ code: 4403, reason: 'TOKEN_EXPIRED' });
  });

  it('answers with the HTTP verdict, from memory or from the database, and 1013 when it cannot be known', async () => {
    const now = () => EXP * 1000 - 60_000;
    for (const verdict of ['TOKEN_REVOKED', 'TOKEN_STALE'] as const) {
      expect(new ConnectionAccess(() => verdict, now).check(viewer(), log)).toEqual({ code: 4403, reason: verdict });
      expect(await new ConnectionAccess(() => Promise.resolve(verdict), now).check(viewer(), log)).toEqual({
        code: 4403,
        reason: verdict,
      });
    }
    expect(await new ConnectionAccess(() => Promise.resolve(null), now).check(viewer(), log)).toBeNull();
    const unavailable = new ConnectionAccess(() => Promise.reject(new ServiceUnavailableError(5)), now);
    expect(await unavailable.check(viewer(), log)).toEqual({ code: 1013, reason: 'SERVICE_UNAVAILABLE' });
    const bug = new ConnectionAccess(() => Promise.reject(new TypeError('a bug')), now);
    await expect(bug.check(viewer(), log)).rejects.toThrow('a bug');
  });

  it('checks a session once at a time: everyone asking meanwhile shares one check that starts after them', async () => {
    const db = heldChecks();
    const access = new ConnectionAccess(db.check, () => 0);
    const first = access.check(viewer(), log);
    // Five events for sockets of the same session while the first check runs.
    const meanwhile = Array.from({ length: 5 }, () => access.check(viewer(), log));
    expect(db.pending).toHaveLength(1);
    // The session ends after the first check read its row: those who asked later must see it.
    db.pending[0]!.answer(null);
    expect(await first).toBeNull();
    await flush();
    expect(db.pending).toHaveLength(2);
    db.pending[1]!.answer('TOKEN_REVOKED');
    for (const answer of await Promise.all(meanwhile)) {
      expect(answer).toEqual({ code: 4403, reason: 'TOKEN_REVOKED' });
    }
    // Nothing in flight: the next question starts a check of its own.
    const later = access.check(viewer(), log);
    expect(db.pending).toHaveLength(3);
    db.pending[2]!.answer(null);
    expect(await later).toBeNull();
  });

  it('does not make another session (or roles version) wait for, or share, a check', async () => {
    const db = heldChecks();
    const access = new ConnectionAccess(db.check, () => 0);
    const answers = [
      access.check(viewer('s1'), log),
      access.check(viewer('s2'), log),
      access.check(viewer('s1', 1), log),
    ];
    expect(db.pending.map(({ viewer: { sessionId, rolesVersion } }) => [sessionId, rolesVersion])).toEqual([
      ['s1', 0],
      ['s2', 0],
      ['s1', 1],
    ]);
    db.pending[0]!.answer('TOKEN_STALE');
    db.pending[1]!.answer(null);
    db.pending[2]!.answer(null);
    expect(await Promise.all(answers)).toEqual([{ code: 4403, reason: 'TOKEN_STALE' }, null, null]);
  });

  it('closes the connection with why its access ended, and never an anonymous one', async () => {
    const now = () => 0;
    const revoked = new FakeConnection(viewer());
    expect(await closeIfAccessEnded(revoked, new ConnectionAccess(() => 'TOKEN_REVOKED', now))).toEqual({
      code: 4403,
      reason: 'TOKEN_REVOKED',
    });
    expect(revoked.closes).toEqual([{ code: 4403, reason: 'TOKEN_REVOKED' }]);
    const failing = new FakeConnection(viewer());
    await closeIfAccessEnded(failing, new ConnectionAccess(() => Promise.reject(new Error('a bug')), now));
    expect(failing.closes).toEqual([{ code: 1011, reason: 'INTERNAL_ERROR' }]);
    const anonymous = new FakeConnection(null);
    expect(await closeIfAccessEnded(anonymous, new ConnectionAccess(() => 'TOKEN_REVOKED', now))).toBeNull();
    expect(anonymous.closes).toEqual([]);
  });
});

describe('delivering while allowed', () => {
  async function* events(returned: { value: boolean }) {
    try {
      for (let i = 1; ; i++) yield i;
    } finally {
      returned.value = true;
    }
  }

  it('sends each result only once allowed, and ends the subscription at the first refusal', async () => {
    const returned = { value: false };
    const answers = [true, true, false, true];
    const asked: number[] = [];
    const gated = deliverWhileAllowed(events(returned), async () => {
      asked.push(asked.length);
      return answers[asked.length - 1]!;
    });
    const delivered: number[] = [];
    for await (const value of gated) delivered.push(value);
    expect(delivered).toEqual([1, 2]);
    expect(asked).toHaveLength(3);
    expect(returned.value).toBe(true);
  });

  it('sends nothing that was being checked when the subscription was returned', async () => {
    const returned = { value: false };
    let allow!: (allowed: boolean) => void;
    const gated = deliverWhileAllowed(events(returned), () => new Promise<boolean>((resolve) => (allow = resolve)));
    const next = gated.next();
    await flush();
    await gated.return!();
    allow(true);
    expect(await next).toEqual({ value: undefined, done: true });
    expect(returned.value).toBe(true);
  });
});

describe('re-checking open sessions', () => {
  const sessionsOf = (connections: FakeConnection[]) => () => {
    const bySession = new Map<string, Set<FakeConnection>>();
    for (const connection of connections) {
      const id = connection.viewer!.sessionId;
      bySession.set(id, (bySession.get(id) ?? new Set()).add(connection));
    }
    return bySession.values();
  };

  it('closes every socket of an ended session with one check per session and roles version, and no other', async () => {
    const connections = [
      new FakeConnection(viewer('ended')),
      new FakeConnection(viewer('ended')),
      new FakeConnection(viewer('demoted', 0)),
      new FakeConnection(viewer('demoted', 1)),
      new FakeConnection(viewer('open')),
    ];
    const asked: Array<[string, number]> = [];
    const verdicts: Record<string, RevocationVerdict> = { 'ended/0': 'TOKEN_REVOKED', 'demoted/0': 'TOKEN_STALE' };
    const access = new ConnectionAccess(
      ({ sessionId, rolesVersion }) => {
        asked.push([sessionId, rolesVersion]);
        return Promise.resolve(verdicts[`${sessionId}/${rolesVersion}`] ?? null);
      },
      () => 0,
    );
    await new AccessSweep(sessionsOf(connections), access, log).sweep();
    expect(asked.sort()).toEqual([
      ['demoted', 0],
      ['demoted', 1],
      ['ended', 0],
      ['open', 0],
    ]);
    expect(connections.map((connection) => connection.closes)).toEqual([
      [{ code: 4403, reason: 'TOKEN_REVOKED' }],
      [{ code: 4403, reason: 'TOKEN_REVOKED' }],
      [{ code: 4403, reason: 'TOKEN_STALE' }],
      [],
      [],
    ]);
  });

  it(`checks at most ${MAX_CONCURRENT_ACCESS_CHECKS} sessions at once, and closes with 1013 those it cannot check`, async () => {
    const connections = Array.from(
      { length: 3 * MAX_CONCURRENT_ACCESS_CHECKS },
      (_, i) => new FakeConnection(viewer(`s${i}`)),
    );
    const db = heldChecks();
    const sweeping = new AccessSweep(sessionsOf(connections), new ConnectionAccess(db.check, () => 0), log).sweep();
    let answered = 0;
    for (let round = 0; round < 10 && answered < connections.length; round++) {
      await flush();
      expect(db.pending.length - answered).toBeLessThanOrEqual(MAX_CONCURRENT_ACCESS_CHECKS);
      for (const { answer } of db.pending.slice(answered)) answer(new ServiceUnavailableError(5));
      answered = db.pending.length;
    }
    await sweeping;
    expect(answered).toBe(connections.length);
    expect(db.mostAtOnce).toBe(MAX_CONCURRENT_ACCESS_CHECKS);
    for (const connection of connections) {
      expect(connection.closes).toEqual([{ code: 1013, reason: 'SERVICE_UNAVAILABLE' }]);
    }
  });
});
