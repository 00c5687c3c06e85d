import { registerEnumType } from 'type-graphql';

/** Where an article is in its life: written by its author, reviewed, then out for anyone to read. */
export enum ArticleStatus {
  DRAFT = 'DRAFT',
  IN_REVIEW = 'IN_REVIEW',
  PUBLISHED = 'PUBLISHED',
}

registerEnumType(ArticleStatus, {
  name: 'ArticleStatus',
  description: 'DRAFT (its author writes) → IN_REVIEW (submitted to EDITORs) → PUBLISHED (anyone reads).',
  valuesConfig: {
    DRAFT: { description: 'Being written; only its author and EDITORs see it.' },
    IN_REVIEW: { description: 'Submitted by its author for an EDITOR to publish; still editable.' },
    PUBLISHED: { description: 'Out: anyone, signed in or not, reads it. Nobody edits it until it is unpublished.' },
  },
});

/** The statuses in which an article's author (or an EDITOR) may still change its text. */
export const EDITABLE_STATUSES: readonly ArticleStatus[] = [ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW];

export function isArticleStatus(value: unknown): value is ArticleStatus {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ArticleStatus, value);
}

/** An article as the services see it. */
export interface ArticleRecord {
  readonly id: string;
  readonly authorId: string;
  readonly title: string;
  readonly body: string;
  readonly status: ArticleStatus;
  /** Only for EDITORs and the author (the Article type's field policy). */
  readonly reviewNotes: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** When it last became PUBLISHED; null whenever it is not PUBLISHED. */
  readonly publishedAt: Date | null;
  /** 1 when written, one more with each change of title or body: what an EDITOR reviewed and publishes. */
  readonly revision: number;
}

export interface ArticlePage {
  readonly articles: readonly ArticleRecord[];
  readonly hasNextPage: boolean;
}

/** What a list may be narrowed to; always within what the viewer may see. */
export interface ArticleFilter {
  readonly status: ArticleStatus | null;
  readonly authorId: string | null;
}

export type { KeysetPosition as ArticleCursor } from '../../db/keyset';
