import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // Accounts that exist before this migration are not verified: nobody ever proved their address.
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();

  // Tokens of emailed links, hashed; see account-tokens.tables.ts.
  await db.schema
    .createTable('account_tokens')
    .addColumn('token_hash', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('purpose', 'varchar(32)', (col) => col.notNull())
    // Null for a request for an address with no account: the row is written all the same (see issueForAddress).
    .addColumn('user_id', 'varchar(36)', (col) => col.references('users.id').onDelete('cascade'))
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('account_email', 'varchar(254)', (col) => col.notNull())
    .addColumn('credentials_version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('account_tokens_user_id').on('account_tokens').columns(['user_id', 'purpose']).execute();
  await db.schema.createIndex('account_tokens_expires_at').on('account_tokens').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_tokens').execute();
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
}
