import { ConcurrencyLimit } from '../../src/auth/concurrency-limit';
import { BusyError } from '../../src/errors/domain-errors';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ConcurrencyLimit', () => {
  it('runs at most `concurrency` tasks at once and starts queued ones in order', async () => {
    const limit = new ConcurrencyLimit(2, 10);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limit.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limit.queued).toBe(2);
    gates[1]!.resolve();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((gate) => gate.resolve());
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3]);
    expect(limit.active).toBe(0);
  });

  it('refuses work with BusyError once the queue is full, without running it', async () => {
    const limit = new ConcurrencyLimit(1, 1);
    const gate = deferred();
    const first = limit.run(() => gate.promise);
    const second = limit.run(async () => undefined);
    let ran = false;
    await expect(
      limit.run(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(BusyError);
    expect(ran).toBe(false);
    gate.resolve();
    await Promise.all([first, second]);
  });

  it('frees the slot when a task throws', async () => {
    const limit = new ConcurrencyLimit(1, 0);
    await expect(limit.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(async () => 'ok')).resolves.toBe('ok');
  });

  describe('priorities (anonymous work must not starve logins)', () => {
    it('starts a waiting high-priority task before low-priority ones queued earlier', async () => {
      const limit = new ConcurrencyLimit(1, 10, 10);
      const gate = deferred();
      const order: string[] = [];
      const first = limit.run(() => gate.promise, 'high');
      const lows = [0, 1].map((i) => limit.run(async () => void order.push(`low${i}`), 'low'));
      const high = limit.run(async () => void order.push('high'), 'high');
      gate.resolve();
      await Promise.all([first, high, ...lows]);
      expect(order).toEqual(['high', 'low0', 'low1']);
    });

    it('never lets low-priority tasks hold every slot', async () => {
      const limit = new ConcurrencyLimit(2, 10, 10);
      const gates = [deferred(), deferred(), deferred()];
      const lows = gates.map((gate) => limit.run(() => gate.promise, 'low'));
      await Promise.resolve();
      expect(limit.active).toBe(1);
      // A login arriving now starts at once in the slot kept free.
      await expect(limit.run(async () => 'login', 'high')).resolves.toBe('login');
      gates.forEach((gate) => gate.resolve());
      await Promise.all(lows);
      expect(limit.active).toBe(0);
    });

    it('bounds the low-priority queue on its own: a flood of sign-ups is refused while logins still queue', async () => {
      const limit = new ConcurrencyLimit(1, 5, 1);
      const gate = deferred();
      const running = limit.run(() => gate.promise, 'low');
      const queuedLow = limit.run(async () => undefined, 'low');
      await expect(limit.run(async () => undefined, 'low')).rejects.toBeInstanceOf(BusyError);
      const queuedHigh = Array.from({ length: 5 }, () => limit.run(async () => undefined, 'high'));
      await expect(limit.run(async () => undefined, 'high')).rejects.toBeInstanceOf(BusyError);
      gate.resolve();
      await Promise.all([running, queuedLow, ...queuedHigh]);
    });
  });

  it.each([0, -1, 1.5, NaN])('rejects a concurrency of %p at construction', (n) => {
    expect(() => new ConcurrencyLimit(n, 1)).toThrow(TypeError);
  });
});
