import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // How many replays of this (rotated) token the audit log has recorded: a client can replay
  // as often as it likes within the grace window, so only the first few are, counted atomically.
  await db.schema
    .alterTable('refresh_tokens')
    .addColumn('replays_recorded', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').dropColumn('replays_recorded').execute();
}
