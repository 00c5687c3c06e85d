import type { RevocationBus } from '../../auth/revocation-bus';
import { RevocationList, type RevocationEvent, type RevocationVerdict } from '../../auth/revocation';
import type { Logger } from '../../logger';
import type { Viewer } from '../../auth/tokens';
import type { UserRepository } from '../user/user.repository';
import type { SessionRepository } from './session.repository';

/**
 * Instant revocation without a query per request: the RevocationList answers,
 * the database fills it at start-up (and after a missed bus message), and the
 * bus keeps every instance's list the same.
 */
/** How often the list is also refilled from the database, in case a bus message was lost. */
export const RELOAD_INTERVAL_MS = 30_000;

export class Revocations {
  readonly list: RevocationList;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      readonly sessions: SessionRepository;
      readonly users: UserRepository;
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
    for (const { id, endedAt } of await this.deps.sessions.endedSince(since)) {
      this.list.apply({ kind: 'session-ended', sessionId: id, until: this.until(endedAt) });
    }
    for (const { id, rolesVersion, rolesChangedAt } of await this.deps.users.rolesChangedSince(since)) {
      this.list.apply({ kind: 'roles-changed', userId: id, rolesVersion, until: this.until(rolesChangedAt) });
    }
  }

  check(viewer: Viewer): RevocationVerdict {
    return this.list.check(viewer);
  }

  /** `endedAt` as stored: never earlier than the newest token the session issued. */
  async sessionsEnded(ended: readonly { id: string; endedAt: number }[]): Promise<void> {
    await Promise.all(
      ended.map(({ id, endedAt }) =>
        this.publish({ kind: 'session-ended', sessionId: id, until: this.until(this.announced(endedAt)) }),
      ),
    );
  }

  async rolesChanged(userId: string, rolesVersion: number, changedAt: number): Promise<void> {
    await this.publish({ kind: 'roles-changed', userId, rolesVersion, until: this.until(this.announced(changedAt)) });
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
