import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { Role, roleBit, roleMask, rolesFromMask } from '../../auth/roles';
import { isUniqueViolation, type DialectName } from '../../db/connect';
import type { Database } from '../../db/database';
import type { UsersTable } from './user.tables';
import type { UserCredentials, UserCursor, UserPage, UserRecord } from './user.model';

export interface NewUser {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly now: number;
}

/** SQL for users. Knows nothing of GraphQL; returns null or false rather than throwing for expected outcomes. */
export interface AccessChange {
  readonly roles?: readonly Role[];
  readonly disabled?: boolean;
}

/** Why an access change was not made. */
export type AccessChangeRefusal = 'not_found' | 'last_admin';

// Thrown inside the transaction only to roll it back.
class RollBack extends Error {
  constructor(readonly refusal: AccessChangeRefusal) {
    super(refusal);
  }
}

export class UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async findById(id: string): Promise<UserRecord | null> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? userFromRow(row) : null;
  }

  /** Many users in one query (a page of authors, say); answers in the order asked, null for an unknown id. */
  async findByIds(ids: readonly string[]): Promise<Array<UserRecord | null>> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', [...new Set(ids)])
      .execute();
    const byId = new Map(rows.map((row) => [row.id, userFromRow(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async findCredentialsByEmail(email: string): Promise<UserCredentials | null> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? { user: userFromRow(row), passwordHash: row.password_hash } : null;
  }

  /** Inserts the user; false when the email is taken (decided by the unique index, so races are safe). */
  async insert(user: NewUser): Promise<boolean> {
    try {
      await this.db
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          password_hash: user.passwordHash,
          display_name: user.displayName,
          role_mask: roleMask(user.roles),
          disabled: 0,
          created_at: user.now,
          updated_at: user.now,
          last_login_at: null,
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async findCredentialsById(id: string): Promise<UserCredentials | null> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { user: userFromRow(row), passwordHash: row.password_hash } : null;
  }

  /**
   * Replaces the password if, and only if, the credentials are still the ones the caller
   * proved (`expectedVersion`), and moves the caller's own session to the new version so
   * it alone survives. False when something changed them first (another change, a disable).
   */
  async replacePassword(
    id: string,
    expectedVersion: number,
    passwordHash: string,
    keepSessionId: string | null,
    now: number,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const changed = await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now, credentials_version: expectedVersion + 1 })
        .where('id', '=', id)
        .where('credentials_version', '=', expectedVersion)
        .where('disabled', '=', 0)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) return false;
      if (keepSessionId !== null) {
        await trx
          .updateTable('sessions')
          .set({ credentials_version: expectedVersion + 1 })
          .where('id', '=', keepSessionId)
          .where('user_id', '=', id)
          .where('ended_at', 'is', null)
          .execute();
      }
      return true;
    });
  }

  /**
   * Changes roles and/or the disabled flag, refusing any change that would leave
   * no active ADMIN. Active ADMIN rows are locked first (PostgreSQL) so two ADMINs
   * demoting each other at once cannot both succeed; SQLite serialises writers.
   * The time of the change is read once the user's row is locked: a session opened
   * or refreshed from the old row was signed before it.
   */
  async changeAccess(id: string, change: AccessChange, clock: () => number): Promise<UserRecord | AccessChangeRefusal> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await this.lockActiveAdmins(trx);
        let read = trx.selectFrom('users').selectAll().where('id', '=', id);
        if (this.dialect === 'postgres') read = read.forUpdate();
        const current = await read.executeTakeFirst();
        if (!current) throw new RollBack('not_found');
        const now = clock();
        const rolesChanged = change.roles !== undefined && roleMask(change.roles) !== current.role_mask;
        const disabling = change.disabled === true && current.disabled === 0;
        await trx
          .updateTable('users')
          .set((eb) => ({
            updated_at: now,
            ...(change.disabled !== undefined ? { disabled: change.disabled ? 1 : 0 } : {}),
            // A login that proved the password before the disable must not open a session after it.
            ...(disabling ? { credentials_version: eb('credentials_version', '+', 1) } : {}),
            ...(rolesChanged
              ? {
                  role_mask: roleMask(change.roles!),
                  roles_version: eb('roles_version', '+', 1),
                  roles_changed_at: now,
                }
              : {}),
          }))
          .where('id', '=', id)
          .execute();
        const admins = await trx
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('disabled', '=', 0)
          .where(isAdmin)
          .executeTakeFirstOrThrow();
        if (Number(admins.n) === 0) throw new RollBack('last_admin');
        const updated = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return userFromRow(updated);
      });
    } catch (error) {
      if (error instanceof RollBack) return error.refusal;
      throw error;
    }
  }

  private async lockActiveAdmins(trx: Transaction<Database>): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await trx.selectFrom('users').select('id').where('disabled', '=', 0).where(isAdmin).forUpdate().execute();
  }

  /** Users whose roles changed since `since`: a starting instance must know their tokens' versions. */
  async rolesChangedSince(
    since: number,
  ): Promise<Array<{ id: string; rolesVersion: number; rolesChangedAtMs: number }>> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'roles_version', 'roles_changed_at'])
      .where('roles_changed_at', '>', since)
      .orderBy('roles_changed_at')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      rolesVersion: Number(row.roles_version),
      rolesChangedAtMs: Number(row.roles_changed_at),
    }));
  }

  /**
   * Notes a successful login and, when given, stores the password's upgraded hash, but only
   * while the credentials are still the ones just proved: an upgrade must never put back
   * the hash of a password that was changed while it was being computed.
   */
  async recordLogin(id: string, credentialsVersion: number, at: number, newPasswordHash?: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set(
        newPasswordHash ? { last_login_at: at, password_hash: newPasswordHash, updated_at: at } : { last_login_at: at },
      )
      .where('id', '=', id)
      .where('credentials_version', '=', credentialsVersion)
      .execute();
  }

  async list(limit: number, after: UserCursor | null): Promise<UserPage> {
    let query = this.db.selectFrom('users').selectAll();
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', after.time),
          eb.and([eb('created_at', '=', after.time), eb('id', '>', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return { users: rows.slice(0, limit).map(userFromRow), hasNextPage: rows.length > limit };
  }
}

/** ADMIN is one bit of role_mask: an exact test, whatever other roles are named. */
const isAdmin = sql<boolean>`(role_mask & ${roleBit(Role.ADMIN)}) <> 0`;

export function userFromRow(row: Selectable<UsersTable>): UserRecord {
  const roles = rolesFromMask(Number(row.role_mask));
  // A stored role we do not know would otherwise grant nothing silently; fail loudly instead.
  if (!roles) throw new Error(`User ${row.id} has invalid stored roles`);
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    roles,
    disabled: row.disabled === 1,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    lastLoginAt: row.last_login_at === null ? null : new Date(Number(row.last_login_at)),
    // The column comes with the accounts module's migration; without that module, nothing is verified.
    emailVerified: row.email_verified_at !== null && row.email_verified_at !== undefined,
    rolesVersion: Number(row.roles_version),
    credentialsVersion: Number(row.credentials_version),
  };
}
