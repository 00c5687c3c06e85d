import type { RevocationBus } from '../../auth/revocation-bus';
import { RevocationList, type RevocationVerdict } from '../../auth/revocation';
import type { Viewer } from '../../auth/tokens';
import type { UserRepository } from '../user/user.repository';
import type { SessionRepository } from './session.repository';

/**
 * Instant revocation without a query per request: the RevocationList answers,
 * the database fills it at start-up (and after a missed bus message), and the
 * bus keeps every instance's list the same.
 */
export class Revocations {
  readonly list: RevocationList;

  constructor(
    private readonly deps: {
      readonly sessions: SessionRepository;
      readonly users: UserRepository;
      readonly bus: RevocationBus;
      readonly now: () => number;
      /** Milliseconds: an access token issued before a revocation is dead after this long anyway. */
      readonly accessTokenLifetime: number;
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
    await Promise.all(
      sessionIds.map((sessionId) => this.deps.bus.publish({ kind: 'session-ended', sessionId, until })),
    );
  }

  async rolesChanged(userId: string, rolesVersion: number, at: number): Promise<void> {
    await this.deps.bus.publish({
      kind: 'roles-changed',
      userId,
      rolesVersion,
      until: at + this.deps.accessTokenLifetime,
    });
  }

  close(): Promise<void> {
    return this.deps.bus.close();
  }
}
