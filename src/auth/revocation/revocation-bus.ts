import Redis from 'ioredis';
import type { Logger } from '../../logger';
import type { RevocationEvent } from './revocation-list';

/**
 * Carries revocations between instances. Every instance keeps its own
 * RevocationList; the bus makes an ended session known to all of them at once.
 */
export interface RevocationBus {
  /** Subscribes; `resync` runs whenever messages may have been missed (after a reconnect). */
  start(onEvent: (event: RevocationEvent) => void, resync: () => Promise<void>): Promise<void>;
  publish(event: RevocationEvent): Promise<void>;
  close(): Promise<void>;
}

/** One instance (the SQLite default): nothing to tell anyone else. */
export function createLocalBus(): RevocationBus {
  let deliver: (event: RevocationEvent) => void = () => undefined;
  return {
    async start(onEvent) {
      deliver = onEvent;
    },
    async publish(event) {
      deliver(event);
    },
    async close() {},
  };
}

/** Many instances sharing PostgreSQL: Redis pub/sub on `<prefix>revocations`. */
export function createRedisBus(url: string, keyPrefix: string, logger: Logger): RevocationBus {
  const channel = `${keyPrefix}revocations`;
  // A publisher and a subscriber: a subscribed Redis connection can do nothing else.
  const options = { lazyConnect: true, maxRetriesPerRequest: 3 };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, options);
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  }
  let deliver: (event: RevocationEvent) => void = () => undefined;

  return {
    async start(onEvent, resync) {
      deliver = onEvent;
      subscriber.on('message', (from: string, message: string) => {
        if (from !== channel) return;
        const event = parseEvent(message);
        if (event) onEvent(event);
        else logger.warn('ignored a malformed revocation message');
      });
      let connectedOnce = false;
      subscriber.on('ready', () => {
        // ioredis re-subscribes by itself after a reconnect; what was published meanwhile is lost, so reload.
        if (connectedOnce) resync().catch((error: unknown) => logger.error({ err: error }, 'revocation resync failed'));
        connectedOnce = true;
      });
      await Promise.all([publisher.connect(), subscriber.connect()]);
      await subscriber.subscribe(channel);
    },
    async publish(event) {
      // Applied here first: this instance must not depend on a round trip to honour its own logout.
      deliver(event);
      await publisher.publish(channel, JSON.stringify(event));
    },
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

function parseEvent(message: string): RevocationEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  const event = value as Record<string, unknown>;
  if (typeof event !== 'object' || event === null || !Number.isFinite(event.until)) return null;
  if (event.kind === 'session-ended' && typeof event.sessionId === 'string') {
    return { kind: 'session-ended', sessionId: event.sessionId, until: event.until as number };
  }
  if (event.kind === 'roles-changed' && typeof event.userId === 'string' && Number.isSafeInteger(event.rolesVersion)) {
    return {
      kind: 'roles-changed',
      userId: event.userId,
      rolesVersion: event.rolesVersion as number,
      until: event.until as number,
    };
  }
  return null;
}
