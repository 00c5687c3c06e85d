import { performance } from 'node:perf_hooks';
import argon2 from 'argon2';
import { ARGON2_PARAMS } from '../../src/auth/passwords';

/** The physical limit of a login endpoint here: raw argon2id verifies per second with `inFlight` running at once. */
async function main(): Promise<void> {
  const inFlight = Number(process.argv[2] ?? 2);
  const seconds = Number(process.argv[3] ?? 10);
  const hash = await argon2.hash('bench password 123', { type: argon2.argon2id, ...ARGON2_PARAMS });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await argon2.verify(hash, 'bench password 123');
        done++;
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ verifiesPerSecond: done / ((performance.now() - started) / 1000) })}\n`);
}

void main();
