import type { Viewer } from '../../auth/tokens';
import { type Role } from '../../auth/roles';
import { InvalidInputError } from '../../errors/domain-errors';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { Revocations } from '../../auth/revocation/revocations';
import type { ClientInfo } from '../../auth/client-info';
import type { SessionService } from '../session/session.service';
import type { UserRecord } from '../user/user.model';
import type { UserRepository } from '../user/user.repository';

export interface AccountAdminDeps {
  readonly users: UserRepository;
  readonly sessions: SessionService;
  readonly revocations: Revocations;
  readonly audit: AuditLog;
  readonly now: () => number;
}

/** What an ADMIN may change about other accounts, with its effect on their live tokens. */
export class AccountAdminService {
  constructor(private readonly deps: AccountAdminDeps) {}

  /** New roles apply at once: older access tokens become stale and the next refresh carries the new roles. */
  async setRoles(actor: Viewer, userId: string, roles: readonly Role[], client: ClientInfo): Promise<UserRecord> {
    const wanted = [...new Set(roles)];
    if (wanted.length === 0) throw new InvalidInputError('roles', 'A user needs at least one role.');
    const before = await this.find(userId);
    const after = this.refuseLastAdmin(
      await this.deps.users.changeAccess(userId, { roles: wanted }, this.deps.now),
      'roles',
    );
    if (after.rolesVersion !== before.rolesVersion) {
      await this.deps.revocations.rolesChanged(userId, after.rolesVersion, after.updatedAt.getTime());
      await this.deps.audit.record(AuditEventType.ROLES_CHANGED, {
        userId,
        actorId: actor.id,
        client,
        details: { from: before.roles, to: after.roles },
      });
    }
    return after;
  }

  /** Disabling ends every session of the user: their tokens and refresh tokens stop working at once. */
  async setDisabled(actor: Viewer, userId: string, disabled: boolean, client: ClientInfo): Promise<UserRecord> {
    const before = await this.find(userId);
    const after = this.refuseLastAdmin(
      await this.deps.users.changeAccess(userId, { disabled }, this.deps.now),
      'disabled',
    );
    if (disabled) {
      const ended = await this.deps.sessions.end({ userId }, 'disabled');
      if (!before.disabled || ended.length > 0) {
        await this.deps.audit.record(AuditEventType.USER_DISABLED, {
          userId,
          actorId: actor.id,
          client,
          details: { sessionsEnded: ended.length },
        });
      }
    } else if (before.disabled) {
      await this.deps.audit.record(AuditEventType.USER_ENABLED, { userId, actorId: actor.id, client });
    }
    return after;
  }

  private async find(userId: string): Promise<UserRecord> {
    const user = userId.length <= 64 ? await this.deps.users.findById(userId) : null;
    if (!user) throw new InvalidInputError('userId', 'There is no user with this id.');
    return user;
  }

  private refuseLastAdmin(result: UserRecord | 'not_found' | 'last_admin', field: string): UserRecord {
    if (result === 'not_found') throw new InvalidInputError('userId', 'There is no user with this id.');
    if (result === 'last_admin') {
      throw new InvalidInputError(field, 'This would leave no active ADMIN; make another ADMIN first.');
    }
    return result;
  }
}
