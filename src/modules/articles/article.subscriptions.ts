import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { Public } from '../../auth/policies';
import type { Context } from '../../context';
import type { EventPayload } from '../../events/event-bus';
import { ArticleTopic, readArticleEvent } from './article.events';
import { ArticleStatus, type ArticleRecord } from './article.model';
import type { ArticleService } from './article.service';
import { Article } from './article.type';

/**
 * Live articles over WebSocket. An event names an article by id; each subscriber's
 * resolver re-reads it as that subscriber (`findVisible`, the query's own rule), and an
 * article they may not see is not delivered to them at all (src/subscriptions/readable-events.ts).
 * What is delivered then passes the Article field policies like any query result:
 * `reviewNotes` is null with FORBIDDEN for whoever is neither its author nor an EDITOR.
 */
@Resolver(() => Article)
export class ArticleSubscriptions {
  constructor(private readonly articles: ArticleService) {}

  @Public()
  @Subscription(() => Article, {
    topics: ArticleTopic.PUBLISHED,
    description:
      'Articles as they are published (anyone; still published when delivered). Over WebSocket only (graphql-transport-ws).',
  })
  async articlePublished(
    @Root() payload: EventPayload,
    @Ctx() { viewer, log }: Context,
  ): Promise<ArticleRecord | null> {
    const event = readArticleEvent(payload, log);
    const article = event ? await this.articles.findVisible(viewer, event.articleId) : null;
    // Unpublished again before this subscriber's turn: its author and EDITORs still see it, but not as published.
    return article?.status === ArticleStatus.PUBLISHED ? article : null;
  }

  @Public()
  @Subscription(() => Article, {
    topics: ArticleTopic.CHANGED,
    filter: ({ payload, args, context }) =>
      readArticleEvent(payload as EventPayload, (context as Context).log)?.articleId === (args as { id: string }).id,
    description:
      'Each change of one article (text, status, review notes), for as long as you may read it: nothing is sent while you may not (nor after it is deleted), the same for an id that does not exist. Over WebSocket only.',
  })
  articleChanged(@Arg('id', () => ID) id: string, @Ctx() { viewer }: Context): Promise<ArticleRecord | null> {
    // The filter matched this id: re-read it as this subscriber, now.
    return this.articles.findVisible(viewer, id);
  }
}
