import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // One TOTP authenticator per user. The secret is sealed (AES-256-GCM under a derived key):
  // a database dump gives away no second factor. Unconfirmed until a code from it is shown.
  await db.schema
    .createTable('totp_authenticators')
    .addColumn('user_id', 'varchar(36)', (col) => col.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('sealed_secret', 'varchar(256)', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('pending_until', 'bigint')
    .addColumn('confirmed_at', 'bigint')
    // The newest 30 s step whose code was accepted: a code (or an older one) is never accepted twice.
    .addColumn('last_used_step', 'bigint')
    .execute();

  // Keyed hashes of single-use recovery codes; a used code keeps its row (and when) for the count.
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'varchar(36)', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'varchar(64)', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('used_at', 'bigint')
    .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();

  // Login's second step: opaque values stored hashed, short-lived, a few wrong codes each.
  await db.schema
    .createTable('mfa_challenges')
    .addColumn('token_hash', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'varchar(36)', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('credentials_version', 'integer', (col) => col.notNull())
    .addColumn('password_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('failures', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('mfa_challenges_expires_at').on('mfa_challenges').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mfa_challenges').execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.dropTable('totp_authenticators').execute();
}
