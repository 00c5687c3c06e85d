import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { scrubString } from './observability/log-redaction';
import { GRAPHQL_PATH } from './server';
import { closeOnSignals } from './shutdown';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Invalid configuration: ${scrubString(error.message)}`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config);
  const app = await createApp(config, { logger });
  const address = await app.listen();
  logger.info(`Tollgate is serving GraphQL at ${address}${GRAPHQL_PATH}`);
  if (app.metricsUrl) logger.info(`Prometheus metrics at ${app.metricsUrl}/metrics`);

  closeOnSignals({ close: () => app.close(), logger, timeoutMs: config.shutdownTimeoutSeconds * 1000 });
  // Re-read the key files at once instead of at the next interval (a key published or removed in a hurry).
  process.on('SIGHUP', () => void app.services.signingKeys.reload());
}

main().catch((error: unknown) => {
  // The key directory is checked as the app starts: as unusable as a bad variable.
  if (error instanceof ConfigError) {
    console.error(`Invalid configuration: ${scrubString(error.message)}`);
    process.exit(78); // EX_CONFIG
  }
  console.error('Tollgate failed to start:', error);
  process.exit(1);
});
