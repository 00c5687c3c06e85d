import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool } from 'kysely';
import type { Database } from '../../db/database';
import type { ArticlesTable } from './article.tables';
import {
  ArticleStatus,
  isArticleStatus,
  type ArticleCursor,
  type ArticleFilter,
  type ArticlePage,
  type ArticleRecord,
} from './article.model';

/**
 * Which rows a viewer may see at all, applied in SQL to every read: a row outside it is
 * never loaded, so no later step can let it slip out (or be counted, or end a page).
 */
export type ArticleScope =
  | { readonly kind: 'everything' }
  | { readonly kind: 'published' }
  | { readonly kind: 'published-or-written-by'; readonly userId: string };

export interface NewArticle {
  readonly id: string;
  readonly authorId: string;
  readonly title: string;
  readonly body: string;
  readonly now: number;
}

/** A change of status, made only if the article is still in one of `from` (compare-and-set). */
export interface Transition {
  readonly from: readonly ArticleStatus[];
  readonly to: ArticleStatus;
  /** Only when the article is this user's (submitting is its author's alone). */
  readonly authorId?: string;
  /** Only when its text is at this revision (publishing what an EDITOR reviewed). */
  readonly revision?: number;
  readonly now: number;
}

type ArticleExpressions = ExpressionBuilder<Database, 'articles'>;

/** SQL for articles. Knows nothing of GraphQL; answers null when a guarded change was not made. */
export class ArticleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(article: NewArticle): Promise<ArticleRecord> {
    const row = await this.db
      .insertInto('articles')
      .values({
        id: article.id,
        author_id: article.authorId,
        title: article.title,
        body: article.body,
        status: ArticleStatus.DRAFT,
        review_notes: null,
        created_at: article.now,
        updated_at: article.now,
        published_at: null,
        revision: 1,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return articleFromRow(row);
  }

  async findById(id: string, scope: ArticleScope): Promise<ArticleRecord | null> {
    const row = await this.db
      .selectFrom('articles')
      .selectAll()
      .where('id', '=', id)
      .where((eb) => visibleIn(eb, scope))
      .executeTakeFirst();
    return row ? articleFromRow(row) : null;
  }

  /** Newest first: (created_at desc, id desc), resuming strictly after `after`. */
  async list(
    scope: ArticleScope,
    filter: ArticleFilter,
    limit: number,
    after: ArticleCursor | null,
  ): Promise<ArticlePage> {
    let query = this.db
      .selectFrom('articles')
      .selectAll()
      .where((eb) => visibleIn(eb, scope));
    if (filter.status !== null) query = query.where('status', '=', filter.status);
    if (filter.authorId !== null) query = query.where('author_id', '=', filter.authorId);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.time),
          eb.and([eb('created_at', '=', after.time), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return { articles: rows.slice(0, limit).map(articleFromRow), hasNextPage: rows.length > limit };
  }

  /**
   * Replaces title and/or body while the article is in one of `editable`, and counts the
   * change in `revision` (in the same statement, so two edits at once count twice); null when
   * it is no longer editable.
   */
  async updateText(
    id: string,
    text: { readonly title?: string; readonly body?: string },
    editable: readonly ArticleStatus[],
    now: number,
  ): Promise<ArticleRecord | null> {
    const row = await this.db
      .updateTable('articles')
      .set((eb) => ({ ...text, updated_at: now, revision: eb('revision', '+', 1) }))
      .where('id', '=', id)
      .where('status', 'in', editable)
      .returningAll()
      .executeTakeFirst();
    return row ? articleFromRow(row) : null;
  }

  /**
   * Moves the article to `to` in one statement whose WHERE holds the expected status:
   * of two concurrent transitions from the same status, exactly one updates the row
   * (PostgreSQL re-checks the WHERE against the winner's row; SQLite runs writers one by one).
   */
  async transition(id: string, transition: Transition): Promise<ArticleRecord | null> {
    const publishedAt = transition.to === ArticleStatus.PUBLISHED ? transition.now : null;
    let update = this.db
      .updateTable('articles')
      .set({ status: transition.to, updated_at: transition.now, published_at: publishedAt })
      .where('id', '=', id)
      .where('status', 'in', transition.from);
    if (transition.authorId !== undefined) update = update.where('author_id', '=', transition.authorId);
    if (transition.revision !== undefined) update = update.where('revision', '=', transition.revision);
    const row = await update.returningAll().executeTakeFirst();
    return row ? articleFromRow(row) : null;
  }

  async setReviewNotes(id: string, notes: string | null, now: number): Promise<ArticleRecord | null> {
    const row = await this.db
      .updateTable('articles')
      .set({ review_notes: notes, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? articleFromRow(row) : null;
  }

  /** Deletes the article; what it was, or null when there was none (another delete won). */
  async delete(id: string): Promise<ArticleRecord | null> {
    const row = await this.db.deleteFrom('articles').where('id', '=', id).returningAll().executeTakeFirst();
    return row ? articleFromRow(row) : null;
  }
}

function visibleIn(eb: ArticleExpressions, scope: ArticleScope): Expression<SqlBool> {
  switch (scope.kind) {
    case 'everything':
      return eb.lit(true);
    case 'published':
      return eb('status', '=', ArticleStatus.PUBLISHED);
    case 'published-or-written-by':
      return eb.or([eb('status', '=', ArticleStatus.PUBLISHED), eb('author_id', '=', scope.userId)]);
  }
}

export function articleFromRow(row: Selectable<ArticlesTable>): ArticleRecord {
  // A status we do not know would fall outside every visibility rule silently; fail loudly instead.
  if (!isArticleStatus(row.status)) throw new Error(`Article ${row.id} has an invalid stored status`);
  return {
    id: row.id,
    authorId: row.author_id,
    title: row.title,
    body: row.body,
    status: row.status,
    reviewNotes: row.review_notes,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    publishedAt: row.published_at === null ? null : new Date(Number(row.published_at)),
    // PostgreSQL's integer comes back as a number; a bigint driver setting would give a string.
    revision: Number(row.revision),
  };
}
