import type { Viewer } from '../auth/tokens';
import type { Logger } from '../logger';
import { SubscriptionCloseCode } from './close-codes';
import type { AccessEnded, ConnectionAccess } from './connection-access';
import type { TrackedConnection } from './connection-registry';

/**
 * How long after one pass over the open sessions the next begins. While the revocation
 * list is in doubt this bounds how long an idle socket of a session ended on another
 * instance stays open (plus the pass's own database time).
 */
export const ACCESS_RECHECK_MS = 1000;
/**
 * Sessions checked at once in one pass. While the list is in doubt each is a query on its
 * session row: an instance holding many sockets must not take every database connection.
 */
export const MAX_CONCURRENT_ACCESS_CHECKS = 8;

/** The connections one check answers for: one session, one roles version. */
interface CheckGroup {
  readonly viewer: Viewer;
  readonly connections: readonly TrackedConnection[];
}

/**
 * Checks every open signed-in connection again, one check per session (and roles version)
 * however many sockets it has, a pass every ACCESS_RECHECK_MS: an idle socket receives no
 * event that would check it, and while the list is in doubt no revocation may be announced
 * to it either. In sync, a pass costs a map lookup per session; in doubt, a query each,
 * MAX_CONCURRENT_ACCESS_CHECKS at a time, and a pass never overlaps the previous one.
 */
export class AccessSweep {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly sessions: () => Iterable<ReadonlySet<TrackedConnection>>,
    private readonly access: ConnectionAccess,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One pass: resolves once every session has its answer and its sockets closed if it ended. */
  async sweep(): Promise<void> {
    const groups = this.snapshot();
    let next = 0;
    const worker = async () => {
      while (next < groups.length) await this.recheck(groups[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_ACCESS_CHECKS, groups.length) }, worker));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweep().then(
        () => this.schedule(),
        (error: unknown) => {
          this.log.error({ err: error }, 'unexpected error while re-checking open WebSocket connections');
          this.schedule();
        },
      );
    }, ACCESS_RECHECK_MS);
    this.timer.unref();
  }

  private snapshot(): CheckGroup[] {
    const groups: CheckGroup[] = [];
    for (const connections of this.sessions()) {
      const byRolesVersion = new Map<number, TrackedConnection[]>();
      for (const connection of connections) {
        const version = connection.viewer!.rolesVersion;
        const group = byRolesVersion.get(version);
        if (group) group.push(connection);
        else byRolesVersion.set(version, [connection]);
      }
      for (const group of byRolesVersion.values()) groups.push({ viewer: group[0]!.viewer!, connections: group });
    }
    return groups;
  }

  private async recheck({ viewer, connections }: CheckGroup): Promise<void> {
    let ended: AccessEnded | null;
    try {
      ended = await this.access.revocation(viewer, this.log);
    } catch (error) {
      this.log.error({ err: error }, 'unexpected error while re-checking open WebSocket connections');
      ended = { code: SubscriptionCloseCode.INTERNAL_ERROR, reason: 'INTERNAL_ERROR' };
    }
    if (ended) for (const connection of connections) connection.close(ended.code, ended.reason);
  }
}
