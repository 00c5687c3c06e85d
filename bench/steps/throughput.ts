import type { LoadResult } from '../drivers/load';
import { peakRssMb } from '../memory';
import { load, type Server } from '../processes';
import { ME_BODY, USERS_BODY, bearer } from '../requests';
import type { BenchSettings } from '../settings';
import type { Servers } from './start-servers';

/** One request, repeated against one server for the length of a run. */
export interface ThroughputCase {
  readonly name: string;
  readonly server: Server;
  readonly body: string;
  readonly token?: string;
}

/** Every run of every case, in round order, keyed by case name. */
export type Runs = ReadonlyMap<string, readonly LoadResult[]>;

/** One line of the table: a case's medians over the rounds, and how it compares with the baselines. */
export interface ThroughputRow {
  readonly case: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssMb: number;
  readonly errors: number;
  readonly vsBareApollo: number;
  readonly vsRaw: number;
  readonly rounds: number[];
}

export interface Throughput {
  readonly rows: ThroughputRow[];
  /** The share of users(first:100) throughput that field-level authorization costs. */
  readonly authorizationOverhead: number;
  readonly meVsBareApollo: number;
  readonly meP99VsBareApollo: number;
}

const RAW = 'raw node:http';
const APOLLO = 'bare Apollo 5, no auth';
const ME = 'Tollgate me (bearer + policies)';
const AUTHZ_ON = 'Tollgate users(first:100), authz on';
const AUTHZ_OFF = 'Tollgate users(first:100), authz off';

/** The cases, in the order each round runs them. */
export function throughputCases(servers: Servers): ThroughputCase[] {
  const { raw, apollo, yoga, tollgate, tollgateNoAuthz, userToken } = servers;
  return [
    { name: RAW, server: raw, body: ME_BODY },
    { name: APOLLO, server: apollo, body: ME_BODY },
    { name: 'Yoga + plugin-jwt', server: yoga, body: ME_BODY, token: userToken },
    { name: ME, server: tollgate, body: ME_BODY, token: userToken },
    { name: AUTHZ_ON, server: tollgate, body: USERS_BODY, token: tollgate.info.adminToken },
    { name: AUTHZ_OFF, server: tollgateNoAuthz, body: USERS_BODY, token: tollgateNoAuthz.info.adminToken },
  ];
}

const runCase = (c: ThroughputCase, connections: number, duration: number) =>
  load({ url: c.server.url, connections, duration, body: c.body, headers: c.token ? bearer(c.token) : {} });

/** JIT and caches, for every case, before any number is kept. */
export async function warmUp(cases: readonly ThroughputCase[], settings: BenchSettings): Promise<void> {
  for (const c of cases) await runCase(c, settings.connections, 2);
}

/** Runs the cases A B C … A B C … so that the machine's drift over time hits all of them alike. */
export async function runInterleavedRounds(cases: readonly ThroughputCase[], settings: BenchSettings): Promise<Runs> {
  const runs = new Map<string, LoadResult[]>(cases.map((c) => [c.name, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const c of cases) {
      const result = await runCase(c, settings.connections, settings.secondsPerRun);
      runs.get(c.name)!.push(result);
      console.log(
        `  round ${round} ${c.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms} ms${result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}`,
      );
    }
  }
  return runs;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Medians per case and ratios to the baselines. Call it straight after the rounds: each server's
 * peak RSS is read now, before the later phases can raise it.
 */
export function summariseThroughput(cases: readonly ThroughputCase[], runs: Runs): Throughput {
  // Ratios are taken round by round (the two runs sat next to each other in time), then the median:
  // the machine's drift between rounds cancels out, which a ratio of medians would not do.
  const ratio = (name: string, baseline: string, field: 'requestsPerSecond' | 'p99Ms' = 'requestsPerSecond') =>
    median(runs.get(name)!.map((r, i) => r[field] / runs.get(baseline)![i]![field]));
  const rows = cases.map((c) => {
    const results = runs.get(c.name)!;
    return {
      case: c.name,
      requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      peakRssMb: peakRssMb(c.server.child.pid!),
      errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
      vsBareApollo: ratio(c.name, APOLLO),
      vsRaw: ratio(c.name, RAW),
      rounds: results.map((r) => Math.round(r.requestsPerSecond)),
    };
  });
  return {
    rows,
    authorizationOverhead: 1 - ratio(AUTHZ_ON, AUTHZ_OFF),
    meVsBareApollo: ratio(ME, APOLLO),
    meP99VsBareApollo: ratio(ME, APOLLO, 'p99Ms'),
  };
}
