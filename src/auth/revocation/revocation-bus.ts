import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import type { Logger } from '../../logger';
import type { RevocationEvent } from './revocation-list';

/**
 * Carries revocations between instances. Every instance keeps its own
 * RevocationList; the bus makes an ended session known to all of them at once.
 */
export interface RevocationBus {
  /** False for the local bus: there are no peers whose revocations could be missed. */
  readonly shared: boolean;
  /**
   * Subscribes; `resync` runs whenever messages may have been missed (after a reconnect).
   * Resolves once subscribed, or once the first attempt failed (the bus keeps trying, and
   * listeningSince() says null meanwhile): an instance starts without Redis, in doubt.
   */
  start(onEvent: (event: RevocationEvent) => void, resync: () => Promise<void>): Promise<void>;
  publish(event: RevocationEvent): Promise<void>;
  /**
   * Since when (performance.now() milliseconds) every event published by a peer has
   * reached this instance without a gap; null while that cannot be vouched for (the
   * connection is down, or the heartbeat went unanswered).
   */
  listeningSince(): number | null;
  close(): Promise<void>;
}

/** One instance (the SQLite default): nothing to tell anyone else. */
export function createLocalBus(): RevocationBus {
  let deliver: (event: RevocationEvent) => void = () => undefined;
  return {
    shared: false,
    async start(onEvent) {
      deliver = onEvent;
    },
    async publish(event) {
      deliver(event);
    },
    listeningSince: () => 0,
    async close() {},
  };
}

/** How often the subscription is checked with a PING, so a silent network is found out. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/**
 * A subscription whose last answer is older than this is no longer trusted: it may have
 * stopped delivering without closing (a partition drops packets, it does not reset).
 */
export const HEARTBEAT_SILENCE_MS = 3000;
/** A publish or PING that takes longer fails: a logout must not wait on a Redis that does not answer. */
const COMMAND_TIMEOUT_MS = 2000;
/** How long start-up waits for the first subscription before going on without it (in doubt). */
const START_WAIT_MS = 5000;

/** Many instances sharing PostgreSQL: Redis pub/sub on `<prefix>revocations`. */
export function createRedisBus(url: string, keyPrefix: string, logger: Logger): RevocationBus {
  const channel = `${keyPrefix}revocations`;
  // A publisher and a subscriber: a subscribed Redis connection can do nothing else. Neither queues
  // commands while disconnected: a publish that cannot go now fails now (peers reload it).
  const options = {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResubscribe: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
  };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, options);
  let deliver: (event: RevocationEvent) => void = () => undefined;
  /** When the current subscription was confirmed by Redis; null while there is none. */
  let subscribedAt: number | null = null;
  /** When Redis last answered on the subscriber connection (a PING, a message, the SUBSCRIBE). */
  let lastAnswerAt = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;
  const outage = { subscriber: false, publisher: false };

  // ioredis reports every failed reconnection attempt; one line per outage is enough.
  const noteDown = (role: keyof typeof outage, error?: Error) => {
    if (outage[role] || closed) return;
    outage[role] = true;
    logger.warn(
      { err: error, connection: role },
      role === 'subscriber'
        ? 'lost the Redis subscription; tokens are checked in the database until it is back and resynced'
        : 'lost the Redis publishing connection; revocations made here reach peers at their next reload',
    );
  };
  const noteUp = (role: keyof typeof outage) => {
    if (!outage[role]) return;
    outage[role] = false;
    logger.info({ connection: role }, 'the Redis connection is back');
  };
  publisher.on('error', (error: Error) => noteDown('publisher', error));
  publisher.on('close', () => noteDown('publisher'));
  publisher.on('ready', () => noteUp('publisher'));
  subscriber.on('error', (error: Error) => noteDown('subscriber', error));
  subscriber.on('close', () => {
    subscribedAt = null;
    noteDown('subscriber');
  });

  const answered = () => {
    lastAnswerAt = performance.now();
  };
  const trusted = () =>
    subscribedAt !== null && subscriber.status === 'ready' && performance.now() - lastAnswerAt <= HEARTBEAT_SILENCE_MS;

  const beat = () => {
    if (subscriber.status !== 'ready' || subscribedAt === null) return;
    if (performance.now() - lastAnswerAt > HEARTBEAT_SILENCE_MS) {
      // Open but silent: nothing published meanwhile can be assumed heard. Start over.
      subscribedAt = null;
      noteDown('subscriber', new Error(`no answer from Redis for ${HEARTBEAT_SILENCE_MS} ms`));
      subscriber.disconnect(true);
      return;
    }
    subscriber.ping().then(answered, () => undefined);
  };

  return {
    shared: true,
    async start(onEvent, resync) {
      deliver = onEvent;
      subscriber.on('message', (from: string, message: string) => {
        answered();
        if (from !== channel) return;
        const event = parseEvent(message);
        if (event) onEvent(event);
        else logger.warn('ignored a malformed revocation message');
      });
      let started = false;
      let firstSubscription!: () => void;
      const subscribedOnce = new Promise<void>((resolve) => (firstSubscription = resolve));
      subscriber.on('ready', () => {
        subscriber.subscribe(channel).then(
          () => {
            // Events published from now on are heard; what was published before, the reload finds.
            subscribedAt = performance.now();
            answered();
            noteUp('subscriber');
            firstSubscription();
            if (started) {
              resync().catch((error: unknown) => logger.error({ err: error }, 'revocation resync failed'));
            }
          },
          (error: unknown) => {
            logger.warn({ err: error }, 'could not subscribe to revocations; reconnecting');
            subscriber.disconnect(true);
          },
        );
      });
      heartbeat = setInterval(beat, HEARTBEAT_INTERVAL_MS);
      heartbeat.unref();
      // Both connections keep retrying by themselves; the first failure only decides how we start.
      publisher.connect().catch(() => undefined);
      let giveUp: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (giveUp = setTimeout(resolve, START_WAIT_MS)));
      await Promise.race([subscribedOnce, subscriber.connect().then(() => subscribedOnce), waited]).catch(
        (error: unknown) => noteDown('subscriber', error as Error),
      );
      clearTimeout(giveUp);
      started = true;
    },
    async publish(event) {
      // Applied here first: this instance must not depend on a round trip to honour its own logout.
      deliver(event);
      await publisher.publish(channel, JSON.stringify(event));
    },
    listeningSince: () => (trusted() ? subscribedAt : null),
    async close() {
      closed = true;
      clearInterval(heartbeat);
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
