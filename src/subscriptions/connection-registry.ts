import type { RevocationEvent } from '../auth/revocation/revocation-list';
import { refusedFromMs, type Viewer } from '../auth/tokens';
import { SubscriptionCloseCode, type CloseReason } from './close-codes';

/** One open WebSocket, as the registry needs it. */
export interface TrackedConnection {
  /** The client's address as throttling counts it (an IPv6 /64). */
  readonly address: string;
  /** Set once `connection_init` proved one; null while anonymous or not yet initialised. */
  viewer: Viewer | null;
  close(code: number, reason: CloseReason): void;
}

export interface ConnectionRegistryOptions {
  readonly maxConnectionsPerUser: number;
  readonly maxConnectionsPerIp: number;
  /** Milliseconds since the epoch: the clock tokens are verified with (tests inject theirs). */
  readonly now: () => number;
}

/**
 * The clock is re-read at least this often while a token is open, so the socket closes on
 * time even when the clock moved by more than the timer waited (an NTP step, a test's clock).
 */
export const EXPIRY_RECHECK_MS = 1000;

/**
 * Every open connection of this instance, by address, user and session: enforces the
 * connection limits, and closes a connection the moment its access ends (its token expires,
 * its session is revoked, its user is disabled or their roles change), as HTTP would refuse
 * its next request.
 */
export class ConnectionRegistry {
  private readonly byAddress = new Map<string, Set<TrackedConnection>>();
  private readonly byUser = new Map<string, Set<TrackedConnection>>();
  private readonly bySession = new Map<string, Set<TrackedConnection>>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ConnectionRegistryOptions) {}

  /** Open connections on this instance. */
  get size(): number {
    let size = 0;
    for (const set of this.byAddress.values()) size += set.size;
    return size;
  }

  /** Counts a new connection against its address; false (and not counted) past the limit. */
  admit(connection: TrackedConnection): boolean {
    if ((this.byAddress.get(connection.address)?.size ?? 0) >= this.options.maxConnectionsPerIp) return false;
    add(this.byAddress, connection.address, connection);
    return true;
  }

  /**
   * Records who the connection is, before its token's revocation check (which may wait on
   * the database), so that a revocation arriving meanwhile closes it; false (and not
   * recorded) past the user's limit.
   */
  authenticate(connection: TrackedConnection, viewer: Viewer): boolean {
    if ((this.byUser.get(viewer.id)?.size ?? 0) >= this.options.maxConnectionsPerUser) return false;
    connection.viewer = viewer;
    add(this.byUser, viewer.id, connection);
    add(this.bySession, viewer.sessionId, connection);
    this.scheduleExpiryCheck();
    return true;
  }

  /** The signed-in connections, one set per session: what a revocation check answers for. */
  sessions(): IterableIterator<ReadonlySet<TrackedConnection>> {
    return this.bySession.values();
  }

  release(connection: TrackedConnection): void {
    remove(this.byAddress, connection.address, connection);
    if (connection.viewer) {
      remove(this.byUser, connection.viewer.id, connection);
      remove(this.bySession, connection.viewer.sessionId, connection);
    }
  }

  /** Closes the connections a revocation ends (a fact may arrive twice: closing twice is harmless). */
  revoked(event: RevocationEvent): void {
    if (event.kind === 'session-ended') {
      for (const connection of [...(this.bySession.get(event.sessionId) ?? [])]) {
        connection.close(SubscriptionCloseCode.ACCESS_ENDED, 'TOKEN_REVOKED');
      }
      return;
    }
    for (const connection of [...(this.byUser.get(event.userId) ?? [])]) {
      if (connection.viewer!.rolesVersion < event.rolesVersion) {
        connection.close(SubscriptionCloseCode.ACCESS_ENDED, 'TOKEN_STALE');
      }
    }
  }

  /**
   * Closes every connection whose token is no longer accepted: from refusedFromMs(exp) on,
   * the instant an HTTP request with it is refused. Returns how many it closed.
   */
  closeExpired(): number {
    const now = this.options.now();
    let closed = 0;
    for (const connections of this.byUser.values()) {
      for (const connection of [...connections]) {
        if (now >= refusedFromMs(connection.viewer!.expiresAt)) {
          connection.close(SubscriptionCloseCode.ACCESS_ENDED, 'TOKEN_EXPIRED');
          closed += 1;
        }
      }
    }
    return closed;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.expiryTimer);
  }

  /** One timer for every token: it fires at the soonest refusal, or within EXPIRY_RECHECK_MS. */
  private scheduleExpiryCheck(): void {
    clearTimeout(this.expiryTimer);
    if (this.stopped || this.byUser.size === 0) return;
    const now = this.options.now();
    let soonest = Infinity;
    for (const connections of this.byUser.values()) {
      for (const { viewer } of connections) {
        const refusedFrom = refusedFromMs(viewer!.expiresAt);
        // Already past: told to close, and counted until its socket is closed; nothing left to time.
        if (refusedFrom > now) soonest = Math.min(soonest, refusedFrom);
      }
    }
    const delay = Math.min(soonest - now, EXPIRY_RECHECK_MS);
    this.expiryTimer = setTimeout(() => {
      this.closeExpired();
      this.scheduleExpiryCheck();
    }, delay);
    this.expiryTimer.unref();
  }
}

function add<K>(map: Map<K, Set<TrackedConnection>>, key: K, connection: TrackedConnection): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(connection);
}

function remove<K>(map: Map<K, Set<TrackedConnection>>, key: K, connection: TrackedConnection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) map.delete(key);
}
