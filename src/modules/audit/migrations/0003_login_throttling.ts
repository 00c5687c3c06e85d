import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // The canonical email a login event was about, known or not: failures are counted per email and IP.
  await db.schema.alterTable('audit_events').addColumn('subject', 'varchar(254)').execute();
  await db.schema
    .createIndex('audit_events_type_subject_ip_at')
    .on('audit_events')
    .columns(['type', 'subject', 'ip', 'at'])
    .execute();
  await db.schema.createIndex('audit_events_type_ip_at').on('audit_events').columns(['type', 'ip', 'at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_events_type_ip_at').execute();
  await db.schema.dropIndex('audit_events_type_subject_ip_at').execute();
  await db.schema.alterTable('audit_events').dropColumn('subject').execute();
}
