import type { EventBus } from '../../events/event-bus';
import type { Logger } from '../../logger';

/**
 * The articles module's domain events on `infrastructure.events`, each published once the
 * change is committed. Payloads carry the id only: a subscriber re-reads the article as
 * its own viewer (`articles.findVisible`), so an event never carries what that viewer may
 * not read, nor outlives a delete.
 */
export const ArticleTopic = {
  /** `{ articleId }`: the article has just become PUBLISHED. */
  PUBLISHED: 'article.published',
  /** `{ articleId }`: its text, status or review notes changed, or it was deleted (re-reading finds nothing). */
  CHANGED: 'article.changed',
} as const;

export type ArticleTopic = (typeof ArticleTopic)[keyof typeof ArticleTopic];

export interface ArticleEvent {
  readonly articleId: string;
}

/** Article ids are UUIDs (article.service.ts); PostgreSQL refuses anything else as an id rather than finding nothing. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads an article event's payload back, or null (logged) when it is not one: a publisher
 * of another version, or anyone who can publish on the Redis channel. Checked before any
 * subscriber re-reads it, so a malformed id never reaches the database.
 */
export function readArticleEvent(payload: Readonly<Record<string, unknown>>, log: Logger): ArticleEvent | null {
  const { articleId } = payload;
  if (typeof articleId === 'string' && UUID.test(articleId)) return { articleId };
  log.warn(
    { articleId: typeof articleId === 'string' ? articleId.slice(0, 64) : typeof articleId },
    'dropped an article event that names no article id',
  );
  return null;
}

export function announce(events: EventBus, articleId: string, topics: readonly ArticleTopic[]): void {
  for (const topic of topics) events.publish(topic, { articleId });
}
