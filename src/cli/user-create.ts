import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { readPassword } from './read-password';
import { userCreate } from './user-create.command';

async function main(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ logLevel: 'warn' });
  return userCreate(process.argv.slice(2), config, logger, {
    readPassword,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`Invalid configuration: ${error.message}`);
      process.exit(78); // EX_CONFIG
    }
    console.error(error);
    process.exit(1);
  },
);
