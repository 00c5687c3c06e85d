import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('articles')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    // Users are disabled, never deleted: an author's articles keep their author.
    .addColumn('author_id', 'varchar(36)', (col) => col.notNull().references('users.id'))
    // Lengths are checked in characters by the service; `text` keeps both dialects out of it.
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('review_notes', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('published_at', 'bigint')
    // One more each time the title or body changes: an EDITOR publishes the revision they reviewed.
    .addColumn('revision', 'integer', (col) => col.notNull().defaultTo(1))
    .addCheckConstraint('articles_status_known', sql`status in ('DRAFT', 'IN_REVIEW', 'PUBLISHED')`)
    .addCheckConstraint('articles_revision_positive', sql`revision >= 1`)
    // Whatever code writes the row, "published" and "has a publishedAt" cannot drift apart.
    .addCheckConstraint(
      'articles_published_at_iff_published',
      sql`(status = 'PUBLISHED' and published_at is not null) or (status <> 'PUBLISHED' and published_at is null)`,
    )
    .execute();
  // `articles` walks (created_at desc, id desc), over everything or narrowed by status or by author.
  await db.schema.createIndex('articles_created_at_id').on('articles').columns(['created_at', 'id']).execute();
  await db.schema
    .createIndex('articles_status_created_at_id')
    .on('articles')
    .columns(['status', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('articles_author_created_at_id')
    .on('articles')
    .columns(['author_id', 'created_at', 'id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('articles').execute();
}
