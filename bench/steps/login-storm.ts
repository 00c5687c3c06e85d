import { load, runDriver, type Server } from '../processes';
import { LOGIN_BODY, ME_BODY, bearer } from '../requests';
import type { BenchSettings } from '../settings';

/** Logins at the argon2 limit, alone and then with authenticated `me` traffic alongside. */
export interface LoginStorm {
  readonly rawArgon2VerifiesPerSecond: number;
  readonly loginsAlonePerSecond: number;
  readonly loginsAloneVsRawArgon2: number;
  readonly loginsPerSecond: number;
  readonly vsRawArgon2: number;
  readonly loginP99Ms: number;
  readonly meDuringStormRequestsPerSecond: number;
  readonly meDuringStormP99Ms: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly errors: number;
}

/** What the Tollgate bench server's stats route reports; every read also resets its event-loop histogram. */
interface Stats {
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly rssBytes: number;
}

export async function runLoginStorm(tollgate: Server, userToken: string, settings: BenchSettings): Promise<LoginStorm> {
  const statsUrl = tollgate.url.replace('/graphql', '/__bench/stats');
  // The ceiling: raw argon2id verifies per second, two at a time, with no server in the way.
  const argon2 = await runDriver<{ verifiesPerSecond: number }>('argon2-rate', ['2', String(settings.secondsPerRun)]);
  await fetch(statsUrl);
  // Logins alone first: what the login path gets of the argon2 limit with nothing else running.
  const logins = { url: tollgate.url, connections: 8, duration: settings.stormSeconds, body: LOGIN_BODY };
  const loginsAlone = await load(logins);
  await fetch(statsUrl);
  const [storm, meDuringStorm] = await Promise.all([
    load(logins),
    load({
      url: tollgate.url,
      connections: 10,
      duration: settings.stormSeconds,
      body: ME_BODY,
      headers: bearer(userToken),
    }),
  ]);
  const stormStats = (await (await fetch(statsUrl)).json()) as Stats;
  return {
    rawArgon2VerifiesPerSecond: argon2.verifiesPerSecond,
    loginsAlonePerSecond: loginsAlone.requestsPerSecond,
    loginsAloneVsRawArgon2: loginsAlone.requestsPerSecond / argon2.verifiesPerSecond,
    loginsPerSecond: storm.requestsPerSecond,
    vsRawArgon2: storm.requestsPerSecond / argon2.verifiesPerSecond,
    loginP99Ms: storm.p99Ms,
    meDuringStormRequestsPerSecond: meDuringStorm.requestsPerSecond,
    meDuringStormP99Ms: meDuringStorm.p99Ms,
    eventLoopDelayP99Ms: stormStats.eventLoopDelayP99Ms,
    eventLoopDelayMaxMs: stormStats.eventLoopDelayMaxMs,
    errors: storm.errors + storm.non2xx + meDuringStorm.errors + meDuringStorm.non2xx,
  };
}
