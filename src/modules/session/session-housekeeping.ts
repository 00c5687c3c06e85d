import type { Logger } from '../../logger';
import type { AttemptCounterRepository } from '../auth/attempt-counter.repository';
import type { SessionRepository } from './session.repository';

/** Ended and expired sessions are kept this long (for support questions), then deleted with their tokens. */
export const ENDED_SESSION_RETENTION_MS = 30 * 86_400_000;
export const PURGE_INTERVAL_MS = 3_600_000;

/**
 * Keeps the sessions, refresh-token and attempt-counter tables from growing without
 * bound. Every instance may run it: the deletes are idempotent. The retention is far
 * longer than an access token lives, so the revocation list never needs a session this
 * removes; a counter goes only once its window has ended.
 */
export class SessionHousekeeping {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly counters: AttemptCounterRepository,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** Returns how many sessions went. */
  async purge(): Promise<number> {
    const now = this.now();
    const removed = await this.sessions.purgeEndedBefore(now - ENDED_SESSION_RETENTION_MS);
    if (removed > 0) this.logger.info({ removed }, 'purged old sessions');
    const counters = await this.counters.purgeEnded(now);
    if (counters > 0) this.logger.debug({ counters }, 'purged ended attempt counters');
    return removed;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.purge().catch((error: unknown) => this.logger.error({ err: error }, 'session purge failed'));
    }, PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
