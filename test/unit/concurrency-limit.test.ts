import { ConcurrencyLimit } from '../../src/auth/concurrency-limit';
import { BusyError } from '../../src/errors';

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

  it.each([0, -1, 1.5, NaN])('rejects a concurrency of %p at construction', (n) => {
    expect(() => new ConcurrencyLimit(n, 1)).toThrow(TypeError);
  });
});
