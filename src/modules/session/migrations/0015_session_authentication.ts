import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // What the session's last authentication proved and when: access tokens carry them (amr,
  // auth_time), refreshes included. Sessions opened before this were password logins at creation.
  await db.schema
    .alterTable('sessions')
    .addColumn('amr', 'varchar(32)', (col) => col.notNull().defaultTo('pwd'))
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('authenticated_at', 'bigint', (col) => col.notNull().defaultTo(0))
    .execute();
  await db
    .updateTable('sessions')
    .set({ authenticated_at: sql`created_at` })
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('authenticated_at').execute();
  await db.schema.alterTable('sessions').dropColumn('amr').execute();
}
