import type { Kysely, Selectable } from 'kysely';
import type { CredentialDeviceType } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { DialectName } from '../../db/connect';
import type { Database } from '../../db/database';
import { MAX_PASSKEYS_PER_USER, type PasskeyRecord } from './passkey.model';
import type { PasskeysTable } from './passkeys.tables';

export type NewPasskey = Omit<PasskeyRecord, 'lastUsedAt'>;

/** What a verified assertion changes: the counter it showed, and when. */
export interface PasskeyUse {
  readonly id: string;
  /** The counter stored when the assertion was verified; the update applies only if it is still that. */
  readonly expectedCount: number;
  readonly newCount: number;
  readonly backedUp: boolean;
  readonly now: number;
}

/** SQL for stored passkeys; knows nothing of WebAuthn beyond the columns. */
export class PasskeyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async listByUser(userId: string): Promise<PasskeyRecord[]> {
    const rows = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(MAX_PASSKEYS_PER_USER)
      .execute();
    return rows.map(passkeyFromRow);
  }

  async findByCredentialId(credentialId: string): Promise<PasskeyRecord | null> {
    const row = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return row ? passkeyFromRow(row) : null;
  }

  /**
   * Stores a new passkey unless the user already holds the limit or the credential id is
   * taken (by anyone): false then. In one transaction, so concurrent registrations cannot
   * pass the limit together (SQLite serialises writers; PostgreSQL locks the user's row).
   */
  async insert(passkey: NewPasskey): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres') {
        await trx.selectFrom('users').select('id').where('id', '=', passkey.userId).forUpdate().executeTakeFirst();
      }
      const taken = await trx
        .selectFrom('passkeys')
        .select('id')
        .where('credential_id', '=', passkey.credentialId)
        .executeTakeFirst();
      if (taken) return false;
      const held = await trx
        .selectFrom('passkeys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', passkey.userId)
        .executeTakeFirstOrThrow();
      if (Number(held.n) >= MAX_PASSKEYS_PER_USER) return false;
      await trx
        .insertInto('passkeys')
        .values({
          id: passkey.id,
          user_id: passkey.userId,
          credential_id: passkey.credentialId,
          user_handle: passkey.userHandle,
          public_key: isoBase64URL.fromBuffer(new Uint8Array(passkey.publicKey)),
          sign_count: passkey.signCount,
          transports: passkey.transports.join(','),
          device_type: passkey.deviceType,
          backed_up: passkey.backedUp ? 1 : 0,
          aaguid: passkey.aaguid,
          name: passkey.name,
          created_at: passkey.createdAt.getTime(),
          last_used_at: null,
        })
        .execute();
      return true;
    });
  }

  /**
   * Records a verified use: compare-and-set on the counter, so of two assertions racing with
   * the same counter value only one is accepted (a cloned authenticator's twin loses).
   */
  async recordUse(use: PasskeyUse): Promise<boolean> {
    const result = await this.db
      .updateTable('passkeys')
      .set({ sign_count: use.newCount, backed_up: use.backedUp ? 1 : 0, last_used_at: use.now })
      .where('id', '=', use.id)
      .where('sign_count', '=', use.expectedCount)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async rename(userId: string, id: string, name: string): Promise<PasskeyRecord | null> {
    const row = await this.db
      .updateTable('passkeys')
      .set({ name })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    return row ? passkeyFromRow(row) : null;
  }

  /** Deletes one of the user's passkeys; false when they hold none with this id. */
  async remove(userId: string, id: string): Promise<PasskeyRecord | null> {
    const row = await this.db
      .deleteFrom('passkeys')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    return row ? passkeyFromRow(row) : null;
  }
}

function passkeyFromRow(row: Selectable<PasskeysTable>): PasskeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    userHandle: row.user_handle,
    publicKey: isoBase64URL.toBuffer(row.public_key),
    signCount: Number(row.sign_count),
    transports: row.transports === '' ? [] : row.transports.split(','),
    deviceType: row.device_type as CredentialDeviceType,
    backedUp: row.backed_up === 1,
    aaguid: row.aaguid,
    name: row.name,
    createdAt: new Date(Number(row.created_at)),
    lastUsedAt: row.last_used_at === null ? null : new Date(Number(row.last_used_at)),
  };
}
