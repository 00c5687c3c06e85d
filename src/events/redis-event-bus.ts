import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from '../logger';
import { createLocalEventBus, type EventBus, type EventPayload } from './event-bus';

/** A publish that takes longer fails (and is logged): a mutation must not wait on a Redis that does not answer. */
const COMMAND_TIMEOUT_MS = 2000;
/** Bigger messages are not ours (ours carry ids): ignored before JSON.parse sees them. */
const MAX_MESSAGE_LENGTH = 16 * 1024;

/**
 * Domain events for a fleet: Redis pub/sub on `<prefix>events`, so a publish on one instance
 * reaches the subscribers of every instance. Delivery on the publishing instance does not
 * wait for Redis (nor need it): its own message, echoed back, is recognised by the instance
 * id it carries and skipped.
 *
 * Events are notifications, not records: what they announce is already committed, and a
 * subscriber re-reads it. One missed while Redis is away is lost for the other instances
 * (logged once per outage); nothing is queued to be replayed out of order later.
 */
export function createRedisEventBus(url: string, keyPrefix: string, logger: Logger): EventBus {
  const channel = `${keyPrefix}events`;
  const instance = randomUUID();
  const local = createLocalEventBus();
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS };
  const publisher = new Redis(url, options);
  // A subscribed connection can do nothing else. It subscribes whenever it is (again) ready:
  // without an offline queue, a SUBSCRIBE sent while connecting would fail.
  const subscriber = new Redis(url, { ...options, autoResubscribe: false });
  let closed = false;
  const outage = { subscriber: false, publisher: false };
  const noteDown = (role: keyof typeof outage, error?: Error) => {
    if (outage[role] || closed) return;
    outage[role] = true;
    logger.warn(
      { err: error, connection: role },
      role === 'subscriber'
        ? 'no Redis event subscription; events published on other instances are missed until it is back'
        : 'no Redis event connection; events published here reach this instance only until it is back',
    );
  };
  const noteUp = (role: keyof typeof outage) => {
    if (!outage[role]) return;
    outage[role] = false;
    logger.info({ connection: role }, 'the Redis event connection is back');
  };
  publisher.on('error', (error: Error) => noteDown('publisher', error));
  publisher.on('close', () => noteDown('publisher'));
  publisher.on('ready', () => noteUp('publisher'));
  subscriber.on('error', (error: Error) => noteDown('subscriber', error));
  subscriber.on('close', () => noteDown('subscriber'));
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => noteUp('subscriber'),
      (error: unknown) => {
        noteDown('subscriber', error as Error);
        subscriber.disconnect(true);
      },
    );
  });
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const event = parseMessage(message);
    if (!event) {
      logger.warn('ignored a malformed event message');
      return;
    }
    if (event.instance !== instance) local.publish(event.topic, event.payload);
  });

  return {
    publish(topic, payload) {
      local.publish(topic, payload);
      publisher
        .publish(channel, JSON.stringify({ instance, topic, payload }))
        .catch((error: unknown) => noteDown('publisher', error as Error));
    },
    subscribe: (topic, listener) => local.subscribe(topic, listener),
    listenerCount: (topic) => local.listenerCount(topic),
    async close() {
      closed = true;
      subscriber.disconnect();
      publisher.disconnect();
      await local.close();
    },
  };
}

interface EventMessage {
  readonly instance: string;
  readonly topic: string;
  readonly payload: EventPayload;
}

/** Anyone who can publish on the channel can send anything: only the shape an EventBus delivers passes. */
function parseMessage(message: string): EventMessage | null {
  if (message.length > MAX_MESSAGE_LENGTH) return null;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { instance, topic, payload } = value as Record<string, unknown>;
  if (typeof instance !== 'string' || typeof topic !== 'string' || topic.length === 0) return null;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  if (!Object.values(payload).every(scalar)) return null;
  return { instance, topic, payload: payload as EventPayload };
}
