import { cpus } from 'node:os';
import { stopAllServers } from './processes';
import { assembleResults, printTable, writeResults } from './report';
import { createScratch } from './scratch';
import { loadSettings, type BenchSettings } from './settings';
import { runLoginStorm } from './steps/login-storm';
import { runOperationAuthorizationBench } from './steps/operation-authorization';
import { runRefreshBench } from './steps/refresh';
import { measureRevocationScale } from './steps/revocation-scale';
import { runSoak } from './steps/soak';
import { startServers } from './steps/start-servers';
import { runInterleavedRounds, summariseThroughput, throughputCases, warmUp } from './steps/throughput';

/**
 * `npm run bench`: starts every server on 127.0.0.1, drives each from a separate
 * process, interleaves the cases round by round so machine drift hits all alike,
 * prints one table and writes bench/results/<date>.json.
 *
 * BENCH_QUICK=1 shortens every phase (for trying the harness, not for numbers).
 */
async function main(): Promise<void> {
  const settings = loadSettings(process.env);
  const scratch = createScratch(settings.postgresUrl);
  try {
    printMethod(settings);
    const servers = await startServers(scratch.dir);
    const cases = throughputCases(servers);
    await warmUp(cases, settings);
    const runs = await runInterleavedRounds(cases, settings);
    // Straight after the rounds, so each server's peak RSS is that of the throughput cases alone.
    const throughput = summariseThroughput(cases, runs);
    const operationAuthorization = await runOperationAuthorizationBench(
      servers.tollgate,
      servers.userToken,
      scratch.dir,
      settings,
    );
    const loginStorm = await runLoginStorm(servers.tollgate, servers.userToken, settings);
    const refresh = await runRefreshBench(servers.tollgate, scratch, settings);
    const soak = await runSoak(servers.tollgate, servers.userToken, settings);
    const revocationList = await measureRevocationScale();
    const results = assembleResults(settings, {
      throughput,
      operationAuthorization,
      loginStorm,
      refresh,
      soak,
      revocationList,
    });
    printTable(results);
    writeResults(results, settings.quick);
  } finally {
    await stopAllServers();
    await scratch.remove();
  }
}

function printMethod(settings: BenchSettings): void {
  console.log(
    `Tollgate benchmark: ${cpus().length} cores, ${settings.rounds} round(s) of ${settings.secondsPerRun}s per case, ${settings.connections} connections.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
