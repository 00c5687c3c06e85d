/**
 * The part of the Web Locks API (`navigator.locks`) the client uses. Structural, so the
 * package needs no DOM typings and tests can pass their own implementation.
 */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** `navigator.locks` where the platform has it (browsers since 2022; not Node). */
export function platformLocks(): LockManagerLike | null {
  const navigatorLike = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return navigatorLike?.locks && typeof navigatorLike.locks.request === 'function' ? navigatorLike.locks : null;
}

/**
 * Runs `task` while holding the tab-wide refresh lock, so tabs of one browser never present the
 * same refresh cookie at once: each waits for the previous rotation and sends the cookie it set.
 * Without Web Locks, `task` runs at once and the server's grace window (identical pairs for
 * concurrent refreshes of one token) keeps racing tabs signed in.
 */
export function withRefreshLock<T>(locks: LockManagerLike | null, name: string, task: () => Promise<T>): Promise<T> {
  return locks ? locks.request(name, task) : task();
}
