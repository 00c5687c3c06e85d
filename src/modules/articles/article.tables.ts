import type { Generated } from 'kysely';

export interface ArticlesTable {
  id: string;
  author_id: string;
  title: string;
  body: string;
  /** DRAFT, IN_REVIEW or PUBLISHED (a CHECK constraint refuses anything else). */
  status: string;
  review_notes: string | null;
  created_at: number;
  updated_at: number;
  /** Set exactly when status is PUBLISHED (a CHECK constraint holds the two together). */
  published_at: number | null;
  /** 1 when written (the column's default), one more with each change of title or body. */
  revision: Generated<number>;
}

declare module '../../db/database' {
  interface Database {
    articles: ArticlesTable;
  }
}
