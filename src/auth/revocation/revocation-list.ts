import type { Viewer } from '../tokens';

export type RevocationVerdict = 'TOKEN_REVOKED' | 'TOKEN_STALE' | null;

/** One fact every instance must learn at once. `until` is when it stops mattering (ms). */
export type RevocationEvent =
  | { readonly kind: 'session-ended'; readonly sessionId: string; readonly until: number }
  | { readonly kind: 'roles-changed'; readonly userId: string; readonly rolesVersion: number; readonly until: number };

/**
 * Ended sessions and users whose roles changed, kept in memory so checking a
 * token costs two map lookups and no query. Each entry lives until `until`: as
 * long as any token issued before it can still be accepted (AccessTokens.maxAcceptanceMs),
 * so the lists stay bounded by the traffic of one token lifetime.
 */
export class RevocationList {
  private readonly endedSessions = new Map<string, number>();
  private readonly rolesVersions = new Map<string, { version: number; until: number }>();
  private readonly listeners = new Set<(event: RevocationEvent) => void>();

  constructor(private readonly now: () => number) {}

  /**
   * Calls `listener` with each fact as the list applies it, however it was learnt (this
   * instance's own revocation, the bus, a reload, a token checked in the database), so
   * that what outlives a request (an open subscription) can end with its access. A fact
   * may be heard more than once; listeners must not throw. Returns what removes it.
   */
  onApplied(listener: (event: RevocationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): { sessions: number; users: number } {
    return { sessions: this.endedSessions.size, users: this.rolesVersions.size };
  }

  check(viewer: Viewer): RevocationVerdict {
    if (this.endedSessions.has(viewer.sessionId)) return 'TOKEN_REVOKED';
    const roles = this.rolesVersions.get(viewer.id);
    if (roles && viewer.rolesVersion < roles.version) return 'TOKEN_STALE';
    return null;
  }

  apply(event: RevocationEvent): void {
    const now = this.now();
    if (event.until <= now) return;
    // Re-inserting moves a key to the end, keeping the maps (nearly) ordered by `until` for the
    // sweep. Where two entries are out of order the sweep stops early: entries are kept longer,
    // never dropped before their time. The same fact heard twice (bus, reload) keeps the later end.
    if (event.kind === 'session-ended') {
      const until = Math.max(event.until, this.endedSessions.get(event.sessionId) ?? 0);
      this.endedSessions.delete(event.sessionId);
      this.endedSessions.set(event.sessionId, until);
    } else {
      const known = this.rolesVersions.get(event.userId);
      if (known && known.version > event.rolesVersion) return;
      const until = known && known.version === event.rolesVersion ? Math.max(known.until, event.until) : event.until;
      this.rolesVersions.delete(event.userId);
      this.rolesVersions.set(event.userId, { version: event.rolesVersion, until });
    }
    this.sweep(now);
    for (const listener of this.listeners) listener(event);
  }

  /** Drops entries whose tokens have all expired. Maps iterate in insertion order, oldest first. */
  sweep(now: number = this.now()): void {
    for (const [id, until] of this.endedSessions) {
      if (until > now) break;
      this.endedSessions.delete(id);
    }
    for (const [id, entry] of this.rolesVersions) {
      if (entry.until > now) break;
      this.rolesVersions.delete(id);
    }
  }
}
