import pino from 'pino';
import type { RevocationBus } from '../../src/auth/revocation/revocation-bus';
import type { RevocationEvent } from '../../src/auth/revocation/revocation-list';
import {
  MAX_RELOAD_AGE_MS,
  Revocations,
  type RevocationSource,
  type SessionState,
} from '../../src/auth/revocation/revocations';
import { Role } from '../../src/auth/roles';
import { ServiceUnavailableError } from '../../src/errors/domain-errors';
import { TestClock } from '../helpers/clock';
import { testViewer } from '../helpers/viewers';

/** A Redis bus as Revocations sees it, whose connection the test cuts and restores by hand. */
function controllableBus() {
  let listeningSince: number | null = 0;
  let resync: () => Promise<void> = async () => undefined;
  let deliver: (event: RevocationEvent) => void = () => undefined;
  const bus: RevocationBus = {
    shared: true,
    async start(onEvent, onResync) {
      deliver = onEvent;
      resync = onResync;
    },
    async publish(event) {
      deliver(event);
    },
    listeningSince: () => listeningSince,
    async close() {},
  };
  return {
    bus,
    lose: () => (listeningSince = null),
    regain: (at: number) => {
      listeningSince = at;
      return resync();
    },
  };
}

describe('a revocation list in doubt', () => {
  const clock = new TestClock();
  let monotonic = 1_000;
  let sessions: Map<string, SessionState>;
  let databaseDown: boolean;
  let lookups: number;
  let bus: ReturnType<typeof controllableBus>;
  let revocations: Revocations;
  const viewer = testViewer('u1', [Role.USER], { sessionId: 's1', rolesVersion: 1 });

  beforeEach(async () => {
    monotonic = 1_000;
    databaseDown = false;
    lookups = 0;
    sessions = new Map([['s1', { userId: 'u1', endedAtMs: null, rolesVersion: 1, rolesChangedAtMs: null }]]);
    const source: RevocationSource = {
      endedSessionsSince: async () => {
        if (databaseDown) throw new ServiceUnavailableError(5);
        return [...sessions]
          .filter(([, state]) => state.endedAtMs !== null)
          .map(([id, state]) => ({ id, endedAtMs: state.endedAtMs! }));
      },
      roleChangesSince: async () => [],
      sessionState: async (id) => {
        lookups += 1;
        if (databaseDown) throw new ServiceUnavailableError(5);
        return sessions.get(id) ?? null;
      },
    };
    bus = controllableBus();
    revocations = new Revocations({
      source,
      bus: bus.bus,
      now: clock.now,
      maxAcceptanceMs: 60_000,
      logger: pino({ level: 'silent' }),
      monotonic: () => monotonic,
    });
    await revocations.start();
  });
  afterEach(() => revocations.close());

  /** A logout made on another instance whose message never arrives here. */
  const endedElsewhere = () => sessions.set('s1', { ...sessions.get('s1')!, endedAtMs: clock.now() });

  it('answers from memory while the bus is up and the list was loaded after it subscribed', () => {
    expect(revocations.inSync()).toBe(true);
    expect(revocations.verify(viewer)).toBeNull();
    expect(lookups).toBe(0);
  });

  it('checks the session row once the bus is lost, and refuses a token ended elsewhere', async () => {
    bus.lose();
    endedElsewhere();
    expect(revocations.inSync()).toBe(false);
    await expect(revocations.verify(viewer)).resolves.toBe('TOKEN_REVOKED');
    // Remembered: the next request is refused from memory.
    expect(revocations.verify(viewer)).toBe('TOKEN_REVOKED');
    expect(revocations.stats().databaseChecks).toMatchObject({ TOKEN_REVOKED: 1 });
  });

  it('refuses a token whose roles changed elsewhere, and accepts one that is fine', async () => {
    bus.lose();
    await expect(revocations.verify(viewer)).resolves.toBeNull();
    sessions.set('s1', { ...sessions.get('s1')!, rolesVersion: 2, rolesChangedAtMs: clock.now() });
    await expect(revocations.verify(viewer)).resolves.toBe('TOKEN_STALE');
  });

  it('refuses a token whose session row is missing or belongs to someone else', async () => {
    bus.lose();
    await expect(revocations.verify(testViewer('u1', [Role.USER], { sessionId: 'gone' }))).resolves.toBe(
      'TOKEN_REVOKED',
    );
    await expect(revocations.verify(testViewer('u2', [Role.USER], { sessionId: 's1' }))).resolves.toBe('TOKEN_REVOKED');
  });

  it('fails closed when the database cannot say either', async () => {
    bus.lose();
    databaseDown = true;
    await expect(revocations.verify(viewer)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(revocations.stats().databaseChecks.unavailable).toBe(1);
  });

  it('stays in doubt after the bus returns until a reload has begun since', async () => {
    bus.lose();
    databaseDown = true;
    monotonic += 500;
    // The bus is back, but its resync failed: what was published while it was away is unknown.
    await expect(bus.regain(monotonic)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(revocations.inSync()).toBe(false);
    databaseDown = false;
    endedElsewhere();
    monotonic += 100;
    await revocations.reload();
    expect(revocations.inSync()).toBe(true);
    expect(revocations.verify(viewer)).toBe('TOKEN_REVOKED');
  });

  it('goes into doubt when no reload has succeeded for too long, even with the bus up', async () => {
    monotonic += MAX_RELOAD_AGE_MS;
    expect(revocations.inSync()).toBe(true);
    monotonic += 1;
    expect(revocations.inSync()).toBe(false);
    endedElsewhere();
    await expect(revocations.verify(viewer)).resolves.toBe('TOKEN_REVOKED');
    await revocations.reload();
    expect(revocations.inSync()).toBe(true);
  });
});
