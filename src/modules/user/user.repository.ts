import type { Kysely, Selectable } from 'kysely';
import { parseRoles, type Role } from '../../auth/roles';
import { isUniqueViolation } from '../../db/connect';
import type { Database, UsersTable } from '../../db/database';
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
export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<UserRecord | null> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async findCredentialsByEmail(email: string): Promise<UserCredentials | null> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? { user: toRecord(row), passwordHash: row.password_hash } : null;
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
          roles: user.roles.join(','),
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

  async recordLogin(id: string, at: number, newPasswordHash?: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set(
        newPasswordHash ? { last_login_at: at, password_hash: newPasswordHash, updated_at: at } : { last_login_at: at },
      )
      .where('id', '=', id)
      .execute();
  }

  async list(limit: number, after: UserCursor | null): Promise<UserPage> {
    let query = this.db.selectFrom('users').selectAll();
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return { users: rows.slice(0, limit).map(toRecord), hasNextPage: rows.length > limit };
  }
}

function toRecord(row: Selectable<UsersTable>): UserRecord {
  const roles = parseRoles(row.roles.split(','));
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
  };
}
