/**
 * Domain events between modules and to subscribers, on this instance and (with Redis)
 * on every instance. A module publishes what happened (`article.published`, with ids, never
 * the data a reader may not see); subscribers re-read and re-authorize what they send on.
 */
export interface EventBus {
  /** Delivers to every subscriber of `topic` on every instance; never throws (a lost event is logged). */
  publish(topic: string, payload: EventPayload): void;
  /** Calls `listener` for each event on `topic` published from now on; returns what unsubscribes. */
  subscribe(topic: string, listener: (payload: EventPayload) => void): () => void;
  /** Listeners of `topic` on this instance: each one a subscription still listening (what a leak would show). */
  listenerCount(topic: string): number;
  close(): Promise<void>;
}

/** Plain JSON: it may cross Redis. */
export type EventPayload = Readonly<Record<string, string | number | boolean | null>>;

/** One process: subscribers on this instance only (SQLite, or tests). */
export function createLocalEventBus(): EventBus {
  const listeners = new Map<string, Set<(payload: EventPayload) => void>>();
  return {
    publish(topic, payload) {
      // A copy: a listener that unsubscribes while being called must not skip its neighbour.
      for (const listener of [...(listeners.get(topic) ?? [])]) listener(payload);
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(topic) === set) listeners.delete(topic);
      };
    },
    listenerCount: (topic) => listeners.get(topic)?.size ?? 0,
    async close() {
      listeners.clear();
    },
  };
}
