import type { Logger } from '../../logger';
import type { Viewer } from '../tokens';
import type { RevocationBus } from './revocation-bus';
import { RevocationList, type RevocationEvent, type RevocationVerdict } from './revocation-list';

/** How often the list is also refilled from the database, in case a bus message was lost. */
export const RELOAD_INTERVAL_MS = 30_000;

/** Where revocations are stored for good (the database): what a starting instance loads. */
export interface RevocationSource {
  /** Sessions ended after `since` (ms), with their stored end. */
  endedSessionsSince(since: number): Promise<ReadonlyArray<{ id: string; endedAtMs: number }>>;
  /** Users whose roles changed after `since` (ms). */
  roleChangesSince(
    since: number,
  ): Promise<ReadonlyArray<{ id: string; rolesVersion: number; rolesChangedAtMs: number }>>;
}

/**
 * Instant revocation without a query per request: the RevocationList answers,
 * the source fills it at start-up (and after a missed bus message), and the
 * bus keeps every instance's list the same.
 */
export class Revocations {
  readonly list: RevocationList;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      readonly source: RevocationSource;
      readonly bus: RevocationBus;
      readonly now: () => number;
      /**
       * Milliseconds after a revocation during which a token it revokes could still be
       * accepted (AccessTokens.maxAcceptanceMs): every entry lives exactly this long, on
       * every path (apply, sweep, start-up, reload).
       */
      readonly maxAcceptanceMs: number;
      readonly logger: Logger;
    },
  ) {
    this.list = new RevocationList(deps.now);
  }

  async start(): Promise<void> {
    // Subscribe before loading: an event published between the two is then heard (and
    // applying it twice is harmless), where the other order would miss it until a reload.
    await this.deps.bus.start(
      (event) => this.list.apply(event),
      () => this.reload(),
    );
    await this.reload();
    // The bus is the fast path; this bounds how long a lost message (a publish that failed
    // while Redis was away) can go unnoticed by another instance.
    this.reloadTimer = setInterval(() => {
      this.reload().catch((error: unknown) => this.deps.logger.error({ err: error }, 'revocation reload failed'));
    }, RELOAD_INTERVAL_MS);
    this.reloadTimer.unref();
  }

  /** Loads every revocation that can still matter: those younger than maxAcceptanceMs. */
  async reload(): Promise<void> {
    const since = this.deps.now() - this.deps.maxAcceptanceMs;
    for (const { id, endedAtMs } of await this.deps.source.endedSessionsSince(since)) {
      this.list.apply({ kind: 'session-ended', sessionId: id, until: this.until(endedAtMs) });
    }
    for (const { id, rolesVersion, rolesChangedAtMs } of await this.deps.source.roleChangesSince(since)) {
      this.list.apply({ kind: 'roles-changed', userId: id, rolesVersion, until: this.until(rolesChangedAtMs) });
    }
  }

  check(viewer: Viewer): RevocationVerdict {
    return this.list.check(viewer);
  }

  /** `endedAt` as stored: never earlier than the newest token the session issued. */
  async sessionsEnded(ended: readonly { id: string; endedAtMs: number }[]): Promise<void> {
    await Promise.all(
      ended.map(({ id, endedAtMs }) =>
        this.publish({ kind: 'session-ended', sessionId: id, until: this.until(this.announced(endedAtMs)) }),
      ),
    );
  }

  async rolesChanged(userId: string, rolesVersion: number, changedAtMs: number): Promise<void> {
    await this.publish({ kind: 'roles-changed', userId, rolesVersion, until: this.until(this.announced(changedAtMs)) });
  }

  /** When the entry for a revocation made at `at` may go. */
  private until(at: number): number {
    return at + this.deps.maxAcceptanceMs;
  }

  /**
   * Announcements come after the change has committed: counting from now as well covers
   * a token minted from a read made just before that commit. (From the database, the
   * stored time is all there is; INSTANCE_CLOCK_ALLOWANCE_SECONDS covers that gap.)
   */
  private announced(at: number): number {
    return Math.max(at, this.deps.now());
  }

  /**
   * The database already holds the fact and this instance already applied it; a failed
   * publish must not fail the logout. Other instances catch up at their next reload.
   */
  private async publish(event: RevocationEvent): Promise<void> {
    try {
      await this.deps.bus.publish(event);
    } catch (error) {
      this.list.apply(event);
      this.deps.logger.error({ err: error, kind: event.kind }, 'could not publish a revocation; peers reload it');
    }
  }

  close(): Promise<void> {
    clearInterval(this.reloadTimer);
    return this.deps.bus.close();
  }
}
