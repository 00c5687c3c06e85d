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
      /** Milliseconds: an access token issued before a revocation is dead after this long anyway. */
      readonly accessTokenLifetime: number;
      readonly logger: Logger;
    },
  ) {
    this.list = new RevocationList(deps.now);
  }

  async start(): Promise<void> {
    await this.reload();
    await this.deps.bus.start(
      (event) => this.list.apply(event),
      () => this.reload(),
    );
    // The bus is the fast path; this bounds how long a lost message (a publish that failed
    // while Redis was away) can go unnoticed by another instance.
    this.reloadTimer = setInterval(() => {
      this.reload().catch((error: unknown) => this.deps.logger.error({ err: error }, 'revocation reload failed'));
    }, RELOAD_INTERVAL_MS);
    this.reloadTimer.unref();
  }

  /** Loads every revocation that can still matter: those younger than one access-token lifetime. */
  async reload(): Promise<void> {
    const { accessTokenLifetime: lifetime } = this.deps;
    const since = this.deps.now() - lifetime;
    for (const { id, endedAt } of await this.deps.sessions.endedSince(since)) {
      this.list.apply({ kind: 'session-ended', sessionId: id, until: endedAt + lifetime });
    }
    for (const { id, rolesVersion, rolesChangedAt } of await this.deps.users.rolesChangedSince(since)) {
      this.list.apply({ kind: 'roles-changed', userId: id, rolesVersion, until: rolesChangedAt + lifetime });
    }
  }

  check(viewer: Viewer): RevocationVerdict {
    return this.list.check(viewer);
  }

  async sessionsEnded(sessionIds: readonly string[], at: number): Promise<void> {
    const until = at + this.deps.accessTokenLifetime;
    await Promise.all(sessionIds.map((sessionId) => this.publish({ kind: 'session-ended', sessionId, until })));
  }

  async rolesChanged(userId: string, rolesVersion: number, at: number): Promise<void> {
    await this.publish({ kind: 'roles-changed', userId, rolesVersion, until: at + this.deps.accessTokenLifetime });
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
