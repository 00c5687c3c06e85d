import DataLoader from 'dataloader';
import type { UserRecord } from '../user/user.model';
import type { UserService } from '../user/user.service';

/** Far above a page (ARTICLE_PAGE.max), far below SQLite's limit of bound parameters. */
const MAX_BATCH = 500;

/**
 * Articles' authors, read in batches: every `author` asked for while one level of a
 * response resolves (a whole page) becomes one `WHERE id IN (…)` query.
 *
 * One loader per request, kept against the request's context object (a WeakMap: it goes
 * when the request does), so nothing needs a per-request hook. It batches but does not
 * cache: a subscription keeps its context for hours, and a cached author would then go
 * stale there; within one level the batch already asks for each id once.
 */
export class ArticleAuthors {
  private readonly loaders = new WeakMap<object, DataLoader<string, UserRecord | null>>();

  constructor(private readonly users: Pick<UserService, 'findByIds'>) {}

  load(context: object, authorId: string): Promise<UserRecord | null> {
    let loader = this.loaders.get(context);
    if (!loader) {
      loader = new DataLoader((ids) => this.users.findByIds(ids), { cache: false, maxBatchSize: MAX_BATCH });
      this.loaders.set(context, loader);
    }
    return loader.load(authorId);
  }
}
