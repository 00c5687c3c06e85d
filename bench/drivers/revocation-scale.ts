import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RevocationList } from '../../src/auth/revocation/revocation-list';
import { Role } from '../../src/auth/roles';
import type { Viewer } from '../../src/auth/tokens';

/** The in-memory revocation list, empty and holding 1,000,000 ended sessions: lookup cost and memory. */
function lookupNs(list: RevocationList, viewers: Viewer[]): number {
  let hits = 0;
  const rounds = 2_000_000;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) if (list.check(viewers[i % viewers.length]!)) hits++;
  const ns = ((performance.now() - t0) * 1e6) / rounds;
  if (hits < 0) console.log(hits);
  return ns;
}

function main(): void {
  const now = Date.now();
  const viewers: Viewer[] = Array.from({ length: 1024 }, () => ({
    id: randomUUID(),
    roles: [Role.USER],
    sessionId: randomUUID(),
    rolesVersion: 1,
    tokenId: 'x',
    issuedAt: 0,
    expiresAt: 0,
  }));
  const list = new RevocationList(() => now);
  lookupNs(list, viewers);
  const emptyNs = lookupNs(list, viewers);

  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const count = 1_000_000;
  for (let i = 0; i < count; i++) list.apply({ kind: 'session-ended', sessionId: randomUUID(), until: now + 900_000 });
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  lookupNs(list, viewers);
  const fullNs = lookupNs(list, viewers);
  process.stdout.write(
    `${JSON.stringify({ entries: list.size.sessions, lookupNsEmpty: emptyNs, lookupNsFull: fullNs, heapBytes: heapAfter - heapBefore, bytesPerEntry: (heapAfter - heapBefore) / count })}\n`,
  );
}

main();
