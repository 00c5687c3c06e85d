import pino from 'pino';
import type { RevocationBus } from '../../src/auth/revocation/revocation-bus';
import type { RevocationEvent } from '../../src/auth/revocation/revocation-list';
import { Role } from '../../src/auth/roles';
import { Revocations, type RevocationSource } from '../../src/auth/revocation/revocations';
import { TestClock } from '../helpers/clock';
import { testViewer } from '../helpers/viewers';

/** Pub/sub as Redis does it: a message published while nobody is subscribed is gone. */
function broker() {
  let subscriber: ((event: RevocationEvent) => void) | null = null;
  const bus: RevocationBus = {
    shared: false,
    listeningSince: () => 0,
    async start(onEvent) {
      subscriber = onEvent;
    },
    async publish(event) {
      subscriber?.(event);
    },
    async close() {},
  };
  return { bus, publishFromElsewhere: (event: RevocationEvent) => subscriber?.(event) };
}

describe('a starting instance', () => {
  it('hears a revocation published while it loads the database (it subscribes first)', async () => {
    const clock = new TestClock();
    const { bus, publishFromElsewhere } = broker();
    const maxAcceptanceMs = 60_000;
    // The load reads the database before another instance ends a session, and returns after the publish.
    const source: RevocationSource = {
      endedSessionsSince: async () => {
        publishFromElsewhere({
          kind: 'session-ended',
          sessionId: 'ended-meanwhile',
          until: clock.now() + maxAcceptanceMs,
        });
        return [];
      },
      roleChangesSince: async () => [],
      sessionState: async () => null,
    };
    const revocations = new Revocations({
      source,
      bus,
      now: clock.now,
      maxAcceptanceMs,
      logger: pino({ level: 'silent' }),
    });
    await revocations.start();
    try {
      expect(revocations.check(testViewer('u', [Role.USER], { sessionId: 'ended-meanwhile' }))).toBe('TOKEN_REVOKED');
    } finally {
      await revocations.close();
    }
  });
});
