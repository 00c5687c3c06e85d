import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // Bumped whenever what proves the user changes (password) or stops counting (disabled).
  // A session records the version it was opened with; an older session cannot be opened
  // or refreshed, so a login that raced a password change or a disable keeps nothing.
  await db.schema
    .alterTable('users')
    .addColumn('credentials_version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('credentials_version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('credentials_version').execute();
  await db.schema.alterTable('users').dropColumn('credentials_version').execute();
}
