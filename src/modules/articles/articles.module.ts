import { defineModule } from '../module';
import { ArticleAuthors } from './article-authors';
import { ArticleRepository } from './article.repository';
import { ArticleResolver } from './article.resolver';
import { ArticleService } from './article.service';
import { ArticleSubscriptions } from './article.subscriptions';
import * as createArticles from './migrations/0009_create_articles';

declare module '../module' {
  interface Services {
    /** Articles as a given viewer may see and change them (subscribers re-read through `findVisible`). */
    readonly articles: ArticleService;
    /** Batched reads of articles' authors, one loader per request. */
    readonly articleAuthors: ArticleAuthors;
  }
}

/** Articles: a worked example of a team's own module (DRAFT → IN_REVIEW → PUBLISHED, owners and EDITORs). */
export const articlesModule = defineModule({
  name: 'articles',
  migrations: { '0009_create_articles': createArticles },
  createServices({ database, events, now }, { audit, users }) {
    const articles = new ArticleService({ articles: new ArticleRepository(database.db), audit, events, now });
    return { articles, articleAuthors: new ArticleAuthors(users) };
  },
  createResolvers: ({ articles, articleAuthors }) => [
    new ArticleResolver(articles, articleAuthors),
    new ArticleSubscriptions(articles),
  ],
});
