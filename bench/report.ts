import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import type { LoadResult } from './drivers/load';
import { ROOT } from './paths';
import type { BenchSettings } from './settings';
import type { LoginStorm } from './steps/login-storm';
import { printOperationAuthorization, type OperationAuthorizationBench } from './steps/operation-authorization';
import type { RefreshResults } from './steps/refresh';
import type { RevocationScale } from './steps/revocation-scale';
import type { Soak } from './steps/soak';
import type { Throughput, ThroughputRow } from './steps/throughput';

/** What every step measured. */
export interface Measurements {
  readonly throughput: Throughput;
  /** `me` with and without the whole-operation authorization plugin, and asking for reject or a dry run. */
  readonly operationAuthorization: OperationAuthorizationBench;
  readonly loginStorm: LoginStorm;
  readonly refresh: RefreshResults;
  readonly soak: Soak;
  readonly revocationList: RevocationScale;
}

/** The targets the README sets, each met or not (the first two are ratios to read, not pass/fail). */
export interface Targets {
  readonly meVsBareApollo: number;
  readonly meP99VsBareApollo: number;
  readonly authorizationOverheadAtMost10Percent: boolean;
  readonly loginStormAtLeast90PercentOfArgon2: boolean;
  readonly loginsAloneAtLeast90PercentOfArgon2: boolean;
  readonly meP99UnderStormBelow50Ms: boolean;
  readonly soakRssWithin10Percent: boolean;
}

/** The shape of bench/results/*.json. */
export interface Results {
  readonly date: string;
  readonly machine: { cores: number; node: string };
  readonly method: { rounds: number; secondsPerRun: number; connections: number; quick: boolean };
  readonly throughput: ThroughputRow[];
  readonly authorizationOverhead: number;
  readonly operationAuthorization: OperationAuthorizationBench;
  readonly loginStorm: LoginStorm;
  readonly refresh: RefreshResults;
  readonly soak: Soak;
  readonly revocationList: RevocationScale;
  readonly targets: Targets;
}

export function assembleResults(settings: BenchSettings, measured: Measurements): Results {
  const { throughput, operationAuthorization, loginStorm, refresh, soak, revocationList } = measured;
  return {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, node: process.version },
    method: {
      rounds: settings.rounds,
      secondsPerRun: settings.secondsPerRun,
      connections: settings.connections,
      quick: settings.quick,
    },
    throughput: throughput.rows,
    authorizationOverhead: throughput.authorizationOverhead,
    operationAuthorization,
    loginStorm,
    refresh,
    soak,
    revocationList,
    targets: {
      meVsBareApollo: throughput.meVsBareApollo,
      meP99VsBareApollo: throughput.meP99VsBareApollo,
      authorizationOverheadAtMost10Percent: throughput.authorizationOverhead <= 0.1,
      loginStormAtLeast90PercentOfArgon2: loginStorm.vsRawArgon2 >= 0.9,
      loginsAloneAtLeast90PercentOfArgon2: loginStorm.loginsAloneVsRawArgon2 >= 0.9,
      meP99UnderStormBelow50Ms: loginStorm.meDuringStormP99Ms < 50,
      soakRssWithin10Percent: Math.abs(soak.rssGrowth) <= 0.1 && soak.errors + soak.non2xx === 0,
    },
  };
}

export function printTable(results: Results): void {
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (n: number, d = 0) => n.toFixed(d).padStart(8);
  console.log(`\n${pad('case', 40)}   req/s   p50 ms   p99 ms  peak MB  vs Apollo  vs raw`);
  for (const t of results.throughput) {
    console.log(
      `${pad(t.case, 40)}${num(t.requestsPerSecond)} ${num(t.p50Ms, 1)} ${num(t.p99Ms, 1)} ${num(t.peakRssMb)} ${num(t.vsBareApollo, 2)}× ${num(t.vsRaw, 2)}×`,
    );
  }
  printOperationAuthorization(results.operationAuthorization);
  const s = results.loginStorm;
  console.log(
    `\nfield-level authorization overhead on users(first:100): ${(results.authorizationOverhead * 100).toFixed(1)}%`,
  );
  console.log(
    `logins alone: ${s.loginsAlonePerSecond.toFixed(1)}/s (${(s.loginsAloneVsRawArgon2 * 100).toFixed(0)}% of raw argon2)`,
  );
  console.log(
    `login storm: ${s.loginsPerSecond.toFixed(1)} logins/s vs raw argon2 ${s.rawArgon2VerifiesPerSecond.toFixed(1)}/s (${(s.vsRawArgon2 * 100).toFixed(0)}%), me p99 during storm ${s.meDuringStormP99Ms} ms, event-loop delay p99 ${s.eventLoopDelayP99Ms.toFixed(1)} ms`,
  );
  for (const [db, r] of Object.entries(results.refresh) as Array<[string, LoadResult | null]>) {
    console.log(
      `refresh on ${db}: ${r ? `${r.requestsPerSecond.toFixed(0)}/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${r.errors} failures` : 'skipped'}`,
    );
  }
  const k = results.soak;
  console.log(
    `soak ${k.seconds}s: ${k.requestsPerSecond.toFixed(0)} req/s, RSS ${k.rssAfterWarmupMb.toFixed(0)} → ${k.rssEndMb.toFixed(0)} MB (${(k.rssGrowth * 100).toFixed(1)}%), ${k.errors} errors, ${k.non2xx} non-2xx`,
  );
  const r = results.revocationList;
  console.log(
    `revocation list: ${r.entries} ended sessions, lookup ${r.lookupNsEmpty.toFixed(0)} ns empty → ${r.lookupNsFull.toFixed(0)} ns full, ${(r.heapBytes / 1048576).toFixed(0)} MB (${r.bytesPerEntry.toFixed(0)} B/entry)`,
  );
  console.log('\ntargets:', JSON.stringify(results.targets));
}

/** Writes bench/results/<date>[.quick].json and, for a full run only, bench/results/latest.json. */
export function writeResults(results: Results, quick: boolean): void {
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const file = path.join(
    ROOT,
    'bench/results',
    `${results.date.slice(0, 19).replace(/[:T]/g, '-')}${quick ? '.quick' : ''}.json`,
  );
  writeFileSync(file, json);
  if (!quick) writeFileSync(path.join(ROOT, 'bench/results/latest.json'), json);
  console.log(`\nResults written to ${path.relative(ROOT, file)}`);
}
