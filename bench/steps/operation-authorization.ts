import { startServer, stopServer, type Server } from '../processes';
import { ME_BODY } from '../requests';
import type { BenchSettings } from '../settings';
import { ME_QUERY } from '../shared';
import { runInterleavedRounds, warmUp, type ThroughputCase } from './throughput';

/** One case of the whole-operation authorization bench: medians over the rounds. */
export interface OperationAuthorizationRow {
  readonly case: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly rounds: number[];
}

export interface OperationAuthorizationBench {
  readonly rows: OperationAuthorizationRow[];
  /** `me` throughput with the plugin installed but not asked, over `me` without the plugin: 1.00 is no cost. */
  readonly notAskingVsNoPlugin: number;
  /** The same for p99 latency (lower is better: 1.00 is no cost). */
  readonly notAskingP99VsNoPlugin: number;
  /** `me` asking for reject (nothing denied: the walk answered from its cache, then executed) over `me` not asking. */
  readonly rejectVsNotAsking: number;
  /** A dry run of `me` (cached walk, nothing executed) over `me` executed without asking. */
  readonly dryRunVsNotAsking: number;
}

const ME_REJECT_BODY = JSON.stringify({ query: ME_QUERY, extensions: { authorization: 'reject' } });
const ME_DRY_RUN_BODY = JSON.stringify({ query: ME_QUERY, extensions: { authorization: 'dryRun' } });

const NO_PLUGIN = 'me, no operation-authorization plugin';
const NOT_ASKING = 'me, plugin installed, not asked';
const REJECT = 'me, authorization: reject (none denied)';
const DRY_RUN = 'me, authorization: dryRun';

/**
 * Starts Tollgate without the plugin beside the one running, and runs `me` as the seeded
 * USER on both, interleaved round by round so the machine's drift hits every case alike.
 * The ratios are taken round by round, then the median, as the throughput step does.
 */
export async function runOperationAuthorizationBench(
  tollgate: Server,
  userToken: string,
  scratchDir: string,
  settings: BenchSettings,
): Promise<OperationAuthorizationBench> {
  const withoutPlugin = await startServer(
    'tollgate (no operation-authorization plugin)',
    'tollgate-without-operation-authorization',
    {
      BENCH_DATABASE_URL: `file:${scratchDir}/no-operation-authorization.db`,
      BENCH_DATA_DIR: scratchDir,
    },
  );
  try {
    const cases: ThroughputCase[] = [
      { name: NO_PLUGIN, server: withoutPlugin, body: ME_BODY, token: withoutPlugin.info.userToken! },
      { name: NOT_ASKING, server: tollgate, body: ME_BODY, token: userToken },
      { name: REJECT, server: tollgate, body: ME_REJECT_BODY, token: userToken },
      { name: DRY_RUN, server: tollgate, body: ME_DRY_RUN_BODY, token: userToken },
    ];
    await warmUp(cases, settings);
    const runs = await runInterleavedRounds(cases, settings);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = (name: string, baseline: string, field: 'requestsPerSecond' | 'p99Ms' = 'requestsPerSecond') =>
      median(runs.get(name)!.map((r, i) => r[field] / runs.get(baseline)![i]![field]));
    return {
      rows: cases.map((c) => {
        const results = runs.get(c.name)!;
        return {
          case: c.name,
          requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
          p50Ms: median(results.map((r) => r.p50Ms)),
          p99Ms: median(results.map((r) => r.p99Ms)),
          errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
          rounds: results.map((r) => Math.round(r.requestsPerSecond)),
        };
      }),
      notAskingVsNoPlugin: ratio(NOT_ASKING, NO_PLUGIN),
      notAskingP99VsNoPlugin: ratio(NOT_ASKING, NO_PLUGIN, 'p99Ms'),
      rejectVsNotAsking: ratio(REJECT, NOT_ASKING),
      dryRunVsNotAsking: ratio(DRY_RUN, NOT_ASKING),
    };
  } finally {
    await stopServer(withoutPlugin);
  }
}

export function printOperationAuthorization(bench: OperationAuthorizationBench): void {
  console.log('\nwhole-operation authorization (`me` as a USER):');
  for (const row of bench.rows) {
    console.log(
      `  ${row.case.padEnd(42)}${row.requestsPerSecond.toFixed(0).padStart(8)} req/s  p50 ${row.p50Ms.toFixed(1)} ms  p99 ${row.p99Ms.toFixed(1)} ms${row.errors ? `  ${row.errors} errors` : ''}`,
    );
  }
  console.log(
    `  not asking vs no plugin: ${bench.notAskingVsNoPlugin.toFixed(3)}× throughput, ${bench.notAskingP99VsNoPlugin.toFixed(3)}× p99; reject vs not asking: ${bench.rejectVsNotAsking.toFixed(3)}×; dry run vs not asking: ${bench.dryRunVsNotAsking.toFixed(3)}×`,
  );
}
