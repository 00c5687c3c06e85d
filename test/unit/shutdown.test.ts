import pino from 'pino';
import { closeOnSignals } from '../../src/shutdown';

const SIGNAL = 'SIGUSR2';

/** A shutdown wired to a signal nobody else uses, with exit() recorded instead of ending jest. */
function wire(close: () => Promise<void>, timeoutMs = 1000) {
  const exits: number[] = [];
  let exited!: (code: number) => void;
  const firstExit = new Promise<number>((resolve) => (exited = resolve));
  const remove = closeOnSignals({
    close,
    logger: pino({ level: 'silent' }),
    timeoutMs,
    signals: [SIGNAL],
    exit: (code) => {
      exits.push(code);
      exited(code);
    },
  });
  return { exits, firstExit, remove, signal: () => process.emit(SIGNAL, SIGNAL) };
}

describe('closing on a signal', () => {
  it('closes the app once and exits 0', async () => {
    const close = jest.fn(async () => undefined);
    const { firstExit, remove, signal, exits } = wire(close);
    try {
      signal();
      expect(await firstExit).toBe(0);
      expect(close).toHaveBeenCalledTimes(1);
      expect(exits).toEqual([0]);
    } finally {
      remove();
    }
  });

  it('exits 1 when closing takes longer than the timeout', async () => {
    const { firstExit, remove, signal } = wire(() => new Promise(() => undefined), 50);
    try {
      signal();
      expect(await firstExit).toBe(1);
    } finally {
      remove();
    }
  });

  it('exits 1 when closing fails', async () => {
    const { firstExit, remove, signal } = wire(async () => {
      throw new Error('the database would not close');
    });
    try {
      signal();
      expect(await firstExit).toBe(1);
    } finally {
      remove();
    }
  });

  it('exits 1 at once on a second signal while closing', async () => {
    let finish!: () => void;
    const close = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { exits, remove, signal } = wire(close);
    try {
      signal();
      signal();
      expect(exits).toEqual([1]);
      expect(close).toHaveBeenCalledTimes(1);
    } finally {
      finish();
      remove();
    }
  });
});
