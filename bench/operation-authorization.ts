import { stopAllServers, startServer } from './processes';
import { createScratch } from './scratch';
import { loadSettings } from './settings';
import { printOperationAuthorization, runOperationAuthorizationBench } from './steps/operation-authorization';

/**
 * The whole-operation authorization scenario alone (the full `npm run bench` runs it too):
 * `tsc -p tsconfig.bench.json && node dist/bench/operation-authorization.js`, BENCH_QUICK=1
 * for a short try. Prints its table and writes nothing.
 */
async function main(): Promise<void> {
  const settings = loadSettings(process.env);
  const scratch = createScratch(settings.postgresUrl);
  try {
    console.log(
      `whole-operation authorization: ${settings.rounds} round(s) of ${settings.secondsPerRun}s per case, ${settings.connections} connections.`,
    );
    const tollgate = await startServer('tollgate', 'tollgate', {
      BENCH_DATABASE_URL: `file:${scratch.dir}/authz.db`,
      BENCH_DATA_DIR: scratch.dir,
    });
    const bench = await runOperationAuthorizationBench(tollgate, tollgate.info.userToken!, scratch.dir, settings);
    printOperationAuthorization(bench);
  } finally {
    await stopAllServers();
    await scratch.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
