import { createTollgateClient, type TollgateClient, type TollgateClientOptions } from '../../../client/src';
import type { LockManagerLike } from '../../../client/src/tabs/refresh-lock';
import type { SessionState } from '../../../client/src/session-state';
import type { TestBrowser } from './browser';

/**
 * Web Locks for Node (which has none), in-process: exclusive, granted in request order, as
 * `navigator.locks.request(name, callback)` is across the tabs of one browser.
 */
export class InProcessLocks implements LockManagerLike {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly requestWaiters: Array<(name: string) => void> = [];
  granted = 0;

  /** Resolves with the name of the next lock requested. */
  nextRequest(): Promise<string> {
    return new Promise((resolve) => this.requestWaiters.push(resolve));
  }

  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    for (const waiter of this.requestWaiters.splice(0)) waiter(name);
    const previous = this.tails.get(name) ?? Promise.resolve();
    const run = previous.then(() => {
      this.granted += 1;
      return callback();
    });
    this.tails.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
}

/** Timers the test fires by hand: the proactive refresh is checked without waiting for it. */
export class ManualTimers {
  private readonly pending = new Map<number, { callback: () => void; ms: number }>();
  private next = 1;

  readonly setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.next++;
    this.pending.set(id, { callback, ms });
    return id;
  };

  readonly clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };

  /** The delays of the timers still pending. */
  delays(): number[] {
    return [...this.pending.values()].map((timer) => timer.ms);
  }

  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const timer of due) timer.callback();
  }
}

let channelCounter = 0;

/** A channel name no other test shares: BroadcastChannel reaches every instance of the process. */
export function uniqueChannel(): string {
  channelCounter += 1;
  return `tollgate-test-${process.pid}-${channelCounter}`;
}

/** A tab of `browser`: a Tollgate client on its cookie jar. Dispose every tab a test opens. */
export function openTab(
  browser: TestBrowser,
  uri: string,
  options: Partial<TollgateClientOptions> = {},
): TollgateClient {
  return createTollgateClient({ uri, fetch: browser.fetch, locks: null, ...options });
}

/** Resolves once the tab's state satisfies `predicate` (at once if it already does); no sleeping. */
export function until(client: TollgateClient, predicate: (state: SessionState) => boolean): Promise<SessionState> {
  return new Promise((resolve) => {
    if (predicate(client.getState())) {
      resolve(client.getState());
      return;
    }
    const unsubscribe = client.subscribe((state) => {
      if (!predicate(state)) return;
      unsubscribe();
      resolve(state);
    });
  });
}
