import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // One row per WebAuthn credential. The public key is all the server holds: a database dump
  // lets nobody sign in. The credential id is the authenticator's (base64url), unique worldwide.
  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('user_id', 'varchar(36)', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('credential_id', 'varchar(1400)', (col) => col.notNull())
    // The WebAuthn user handle the credential was created with (base64url); an assertion must name it.
    .addColumn('user_handle', 'varchar(64)', (col) => col.notNull())
    .addColumn('public_key', 'text', (col) => col.notNull())
    .addColumn('sign_count', 'bigint', (col) => col.notNull())
    .addColumn('transports', 'varchar(200)', (col) => col.notNull())
    .addColumn('device_type', 'varchar(16)', (col) => col.notNull())
    .addColumn('backed_up', 'integer', (col) => col.notNull())
    .addColumn('aaguid', 'varchar(36)', (col) => col.notNull())
    .addColumn('name', 'varchar(200)', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('passkeys_credential_id').on('passkeys').column('credential_id').unique().execute();
  await db.schema
    .createIndex('passkeys_user_id_created_at')
    .on('passkeys')
    .columns(['user_id', 'created_at'])
    .execute();

  // Ceremonies in flight: the challenge (hashed) is consumed by the one finish that deletes it.
  await db.schema
    .createTable('passkey_challenges')
    .addColumn('challenge_hash', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('purpose', 'varchar(16)', (col) => col.notNull())
    // Registration and reauthentication are bound to the user who asked; login to nobody.
    .addColumn('user_id', 'varchar(36)', (col) => col.references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('passkey_challenges_expires_at').on('passkey_challenges').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('passkey_challenges').execute();
  await db.schema.dropTable('passkeys').execute();
}
