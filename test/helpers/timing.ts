import { performance } from 'node:perf_hooks';

/** Runs the requests in turn, `tries` rounds, and returns each one's durations (ms). */
export async function interleavedTimings(
  tries: number,
  requests: ReadonlyArray<() => Promise<unknown>>,
): Promise<number[][]> {
  // Warm-up: the first requests pay for JIT compilation and new connections.
  for (let i = 0; i < 3; i++) for (const send of requests) await send();
  const timings = requests.map(() => [] as number[]);
  for (let i = 0; i < tries; i++) {
    // Alternating, so a burst of load on the machine falls on both sides alike.
    for (const [index, send] of requests.entries()) {
      const started = performance.now();
      await send();
      timings[index]!.push(performance.now() - started);
    }
  }
  return timings;
}

/**
 * For two paths built to do the same work (the same statements, no password hash on
 * either): what the bound must catch is a path doing measurably more, such as an argon2
 * hash (tens of ms at the default cost) or a wait on the mail server (a TCP round trip
 * and an SMTP dialogue). Medians of interleaved tries ignore the bursts of a loaded
 * 2-core machine; the bound is 10 ms or half the slower median, whichever is larger, so
 * scheduling noise on a slow run cannot fail it while a hash (several times a whole
 * request here) still would.
 */
export function expectMediansWithinNoise(a: readonly number[], b: readonly number[]): void {
  const [ma, mb] = [median(a), median(b)];
  const bound = Math.max(10, Math.max(ma, mb) / 2);
  if (Math.abs(ma - mb) > bound) {
    throw new Error(
      `Medians differ by ${(ma - mb).toFixed(1)} ms (${ma.toFixed(1)} vs ${mb.toFixed(1)}); bound ${bound.toFixed(1)} ms`,
    );
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
