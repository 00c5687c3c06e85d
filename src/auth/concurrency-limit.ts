import { BusyError } from '../errors';

/**
 * Runs at most `concurrency` tasks at once and queues at most `maxQueued`
 * more; beyond that it fails fast with BusyError instead of letting a flood
 * of logins grow memory and latency without bound.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError('concurrency must be an integer ≥ 1');
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new TypeError('maxQueued must be an integer ≥ 0');
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) throw new BusyError(1);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter so `running` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
