import pino from 'pino';
import type { RevocationBus } from '../../src/auth/revocation-bus';
import type { RevocationEvent } from '../../src/auth/revocation';
import { Role } from '../../src/auth/roles';
import { Revocations } from '../../src/modules/session/revocations';
import type { SessionRepository } from '../../src/modules/session/session.repository';
import type { UserRepository } from '../../src/modules/user/user.repository';
import { TestClock } from '../helpers/clock';
import { testViewer } from '../helpers/viewers';

/** Pub/sub as Redis does it: a message published while nobody is subscribed is gone. */
function broker() {
  let subscriber: ((event: RevocationEvent) => void) | null = null;
  const bus: RevocationBus = {
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
    const sessions = {
      endedSince: async () => {
        publishFromElsewhere({
          kind: 'session-ended',
          sessionId: 'ended-meanwhile',
          until: clock.now() + maxAcceptanceMs,
        });
        return [];
      },
    } as unknown as SessionRepository;
    const users = { rolesChangedSince: async () => [] } as unknown as UserRepository;
    const revocations = new Revocations({
      sessions,
      users,
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
