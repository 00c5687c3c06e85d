import { rssMb } from '../memory';
import { load, type Server } from '../processes';
import { ME_BODY, bearer } from '../requests';
import type { BenchSettings } from '../settings';

/** Steady `me` traffic for minutes: does Tollgate's memory stay flat? */
export interface Soak {
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly rssAfterWarmupMb: number;
  readonly rssEndMb: number;
  readonly rssGrowth: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** Steady `me` traffic; Tollgate's RSS once warmed up and at the end. */
export async function runSoak(tollgate: Server, userToken: string, settings: BenchSettings): Promise<Soak> {
  const warm = Math.min(20, settings.soakSeconds / 4);
  const soakPromise = load({
    url: tollgate.url,
    connections: settings.connections,
    duration: settings.soakSeconds,
    body: ME_BODY,
    headers: bearer(userToken),
  });
  await new Promise((resolve) => setTimeout(resolve, warm * 1000));
  const rssStart = rssMb(tollgate.child.pid!);
  const soak = await soakPromise;
  const rssEnd = rssMb(tollgate.child.pid!);
  return {
    seconds: settings.soakSeconds,
    requestsPerSecond: soak.requestsPerSecond,
    rssAfterWarmupMb: rssStart,
    rssEndMb: rssEnd,
    rssGrowth: rssEnd / rssStart - 1,
    errors: soak.errors,
    non2xx: soak.non2xx,
  };
}
