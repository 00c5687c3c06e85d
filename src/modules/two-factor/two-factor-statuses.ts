import DataLoader from 'dataloader';
import type { TwoFactorService, TwoFactorStatus } from './two-factor.service';

/** Far above a page of users (100), far below SQLite's limit of bound parameters. */
const MAX_BATCH = 500;

/**
 * `User.twoFactor`, read in batches: every status asked for while one level of a response
 * resolves (a page of users) becomes two queries, not two per user. One loader per request,
 * kept against its context object; it batches but does not cache (a subscription's context
 * lives for hours, and a status read once would go stale there).
 */
export class TwoFactorStatuses {
  private readonly loaders = new WeakMap<object, DataLoader<string, TwoFactorStatus>>();

  constructor(private readonly service: Pick<TwoFactorService, 'statuses'>) {}

  load(context: object, userId: string): Promise<TwoFactorStatus> {
    let loader = this.loaders.get(context);
    if (!loader) {
      loader = new DataLoader((ids) => this.service.statuses(ids), { cache: false, maxBatchSize: MAX_BATCH });
      this.loaders.set(context, loader);
    }
    return loader.load(userId);
  }
}
