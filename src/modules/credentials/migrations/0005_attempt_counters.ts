import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // Attempts counted atomically before the work they guard (login, sign-up, password change),
  // shared by every instance on the database. Keys are keyed hashes: no email or IP is stored.
  await db.schema
    .createTable('attempt_counters')
    .addColumn('key', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('count', 'integer', (col) => col.notNull())
    .addColumn('window_ends_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('attempt_counters_window_ends_at')
    .on('attempt_counters')
    .column('window_ends_at')
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attempt_counters').execute();
}
