import { parseTabMessage, type TabMessage } from './tab-messages';

/** How tabs of one app reach each other. */
export interface TabChannel {
  /** Whether access tokens may travel on it (BroadcastChannel: yes; storage events: never). */
  readonly carriesTokens: boolean;
  post(message: TabMessage): void;
  close(): void;
}

interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

interface StorageLike {
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The part of `window` the storage fallback uses. */
export interface StorageWindowLike {
  localStorage?: StorageLike;
  addEventListener(type: 'storage', listener: (event: { key: string | null; newValue: string | null }) => void): void;
  removeEventListener(
    type: 'storage',
    listener: (event: { key: string | null; newValue: string | null }) => void,
  ): void;
}

type Receive = (message: TabMessage) => void;

function broadcastChannel(name: string, receive: Receive): TabChannel | null {
  const Constructor = (globalThis as { BroadcastChannel?: new (name: string) => BroadcastChannelLike })
    .BroadcastChannel;
  if (typeof Constructor !== 'function') return null;
  const channel = new Constructor(name);
  channel.onmessage = (event) => {
    const message = parseTabMessage(event.data);
    if (message) receive(message);
  };
  return {
    carriesTokens: true,
    post: (message) => channel.postMessage(message),
    close: () => {
      channel.onmessage = null;
      channel.close();
    },
  };
}

/** What the storage fallback delivers: notices only. A token read from storage is never adopted. */
function isNotice(message: TabMessage): boolean {
  return message.type === 'signedOut' || message.type === 'sessionChanged';
}

/**
 * Browsers without BroadcastChannel: a `storage` event fires in the other tabs when one writes
 * a key. The value is a notice and a nonce (so the same notice twice still fires), never a token.
 * What arrives is checked the same way: a `signedIn`/`refreshed` with an access token in it
 * (written by another script of the origin, or an older version) is dropped, not adopted.
 */
export function storageEventChannel(
  name: string,
  receive: Receive,
  windowLike: StorageWindowLike | undefined,
): TabChannel | null {
  const storage = windowLike?.localStorage;
  if (!windowLike || !storage) return null;
  const key = `${name}:signal`;
  const listener = (event: { key: string | null; newValue: string | null }) => {
    if (event.key !== key || event.newValue === null) return;
    try {
      const message = parseTabMessage(JSON.parse(event.newValue));
      if (message && isNotice(message)) receive(message);
    } catch {
      // Not ours, or written by a future version: ignore.
    }
  };
  windowLike.addEventListener('storage', listener);
  return {
    carriesTokens: false,
    post: (message) => {
      const notice = message.type === 'signedOut' ? message : { type: 'sessionChanged' as const, from: message.from };
      try {
        storage.setItem(key, JSON.stringify({ ...notice, nonce: Math.random() }));
        storage.removeItem(key);
      } catch {
        // Storage full or denied (private mode): tabs then learn of changes on their next request.
      }
    },
    close: () => windowLike.removeEventListener('storage', listener),
  };
}

const silent: TabChannel = { carriesTokens: false, post: () => undefined, close: () => undefined };

/** BroadcastChannel where present, else `storage` events, else nothing (a single tab, or Node without either). */
export function openTabChannel(name: string, receive: Receive): TabChannel {
  const windowLike = (globalThis as { window?: StorageWindowLike }).window;
  return broadcastChannel(name, receive) ?? storageEventChannel(name, receive, windowLike) ?? silent;
}
