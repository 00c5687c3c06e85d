import { BusyError } from '../errors/domain-errors';

/**
 * `high`: work for someone proving who they are (logins, password changes).
 * `low`: work anyone can ask for anonymously and that creates something (new accounts).
 */
export type Priority = 'high' | 'low';

/**
 * Runs at most `concurrency` tasks at once and queues a bounded number more;
 * beyond that it fails fast with BusyError instead of letting a flood grow
 * memory and latency without bound. Low-priority tasks have a queue of their
 * own, start only when no high-priority task waits, and never hold every slot
 * (when there is more than one),
 * so a flood of them delays a high-priority task by one task at most.
 */
export class ConcurrencyLimit {
  private running = 0;
  private runningLow = 0;
  private readonly waiting: Record<Priority, Array<() => void>> = { high: [], low: [] };
  private readonly concurrency: number;
  private readonly maxQueued: Record<Priority, number>;
  private readonly maxRunningLow: number;

  /**
   * @param concurrency tasks that may run at once
   * @param maxQueued high-priority tasks that may wait for a slot before more are refused as busy
   * @param maxQueuedLow low-priority tasks that may wait; by default a sixteenth of maxQueued (at least 1)
   */
  constructor(concurrency: number, maxQueued: number, maxQueuedLow = Math.max(1, Math.floor(maxQueued / 16))) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError('concurrency must be an integer ≥ 1');
    for (const [name, value] of [
      ['maxQueued', maxQueued],
      ['maxQueuedLow', maxQueuedLow],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be an integer ≥ 0`);
    }
    this.concurrency = concurrency;
    this.maxQueued = { high: maxQueued, low: maxQueuedLow };
    this.maxRunningLow = Math.max(1, concurrency - 1);
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.high.length + this.waiting.low.length;
  }

  async run<T>(task: () => Promise<T>, priority: Priority = 'high'): Promise<T> {
    if (this.canStart(priority)) {
      this.take(priority);
    } else {
      const queue = this.waiting[priority];
      if (queue.length >= this.maxQueued[priority]) throw new BusyError(1);
      // The releasing task takes the slot for us (see release), so nobody can jump the queue in between.
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    try {
      return await task();
    } finally {
      this.release(priority);
    }
  }

  private canStart(priority: Priority): boolean {
    if (this.running >= this.concurrency) return false;
    if (priority === 'high') return this.waiting.high.length === 0;
    return this.waiting.high.length === 0 && this.waiting.low.length === 0 && this.runningLow < this.maxRunningLow;
  }

  private take(priority: Priority): void {
    this.running += 1;
    if (priority === 'low') this.runningLow += 1;
  }

  private release(priority: Priority): void {
    this.running -= 1;
    if (priority === 'low') this.runningLow -= 1;
    // High first; low only within its share of the slots.
    const next =
      this.waiting.high.length > 0
        ? { priority: 'high' as const, resolve: this.waiting.high.shift()! }
        : this.waiting.low.length > 0 && this.runningLow < this.maxRunningLow
          ? { priority: 'low' as const, resolve: this.waiting.low.shift()! }
          : null;
    if (next) {
      this.take(next.priority);
      next.resolve();
    }
  }
}
