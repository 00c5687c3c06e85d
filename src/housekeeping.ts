import type { Logger } from './logger';

/** One periodic clean-up of a module's tables. Every instance runs it, so it must be idempotent. */
export interface HousekeepingTask {
  /** For the log line. */
  readonly name: string;
  /** Removes what is no longer needed as of `now` (ms); returns how many rows went. */
  run(now: number): Promise<number>;
}

export const HOUSEKEEPING_INTERVAL_MS = 3_600_000;

/** Runs every module's clean-ups hourly, so no table grows without bound. */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tasks: readonly HousekeepingTask[],
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** Runs every task once; returns how many rows went in all. A failing task does not stop the others. */
  async purge(): Promise<number> {
    const now = this.now();
    let removed = 0;
    for (const task of this.tasks) {
      try {
        const count = await task.run(now);
        if (count > 0) this.logger.info({ task: task.name, removed: count }, 'housekeeping');
        removed += count;
      } catch (error) {
        this.logger.error({ err: error, task: task.name }, 'housekeeping task failed');
      }
    }
    return removed;
  }

  start(): void {
    this.timer = setInterval(() => void this.purge(), HOUSEKEEPING_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
