import type { PubSub } from 'type-graphql';
import type { EventBus, EventPayload } from './event-bus';

/**
 * Events one subscriber has not taken yet. Past this the oldest are dropped: a client that
 * reads slower than events arrive must not grow the server's memory without bound (events
 * carry ids, and a subscriber re-reads the current state, so the newest matter most).
 */
export const MAX_PENDING_EVENTS = 256;

/**
 * The events of one topic as an async iterator, from the moment it is created until
 * `return()` (graphql-js calls it when the subscription ends), which unsubscribes.
 */
export function eventStream(
  bus: EventBus,
  topic: string,
  maxPending: number = MAX_PENDING_EVENTS,
): AsyncIterableIterator<EventPayload> {
  const pending: EventPayload[] = [];
  let waiting: ((result: IteratorResult<EventPayload>) => void) | null = null;
  let done = false;
  const unsubscribe = bus.subscribe(topic, (payload) => {
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value: payload, done: false });
      return;
    }
    if (pending.length >= maxPending) pending.shift();
    pending.push(payload);
  });
  const finish = (): Promise<IteratorResult<EventPayload>> => {
    if (!done) {
      done = true;
      unsubscribe();
      pending.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    next() {
      if (done) return Promise.resolve({ value: undefined, done: true });
      const payload = pending.shift();
      if (payload !== undefined) return Promise.resolve({ value: payload, done: false });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: finish,
    throw(error?: unknown) {
      void finish();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * type-graphql's PubSub over the app's EventBus: `@Subscription({ topics })` listens on
 * the bus (every instance's events, with Redis). Dynamic topic ids are not used: a field
 * narrows its events with `filter`.
 */
export function eventBusPubSub(bus: EventBus): PubSub {
  return {
    publish(topic, payload) {
      bus.publish(topic, payload as EventPayload);
    },
    subscribe(topic, dynamicId) {
      if (dynamicId !== undefined) throw new Error(`Topic ids are not supported (topic ${topic})`);
      return eventStream(bus, topic);
    },
  };
}
