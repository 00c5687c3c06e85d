import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  // Failed logins used to keep the attempted email verbatim, and a password typed into the
  // email field became readable by every ADMIN. Throttling no longer counts from the audit
  // log, so the column goes, and so does what failed logins for unknown emails recorded.
  await db.schema.dropIndex('audit_events_type_subject_ip_at').execute();
  await db.schema.dropIndex('audit_events_type_ip_at').execute();
  await db.schema.alterTable('audit_events').dropColumn('subject').execute();
  await db
    .updateTable('audit_events')
    .set({ details: null })
    .where('type', '=', 'LOGIN_FAILED')
    .where('user_id', 'is', null)
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('subject', 'varchar(254)').execute();
}
