import { parseArgs } from 'node:util';
import { createServices } from '../app';
import { ALL_ROLES, isRole } from '../auth/roles';
import type { Config } from '../config';
import { DomainError } from '../errors/domain-errors';
import type { Logger } from '../logger';

export const USAGE = `Usage: npm run user:create -- --email <email> [--role ${ALL_ROLES.join('|')}] [--name <display name>]

The password is asked for at a prompt (typed twice, not echoed), or read from
standard input when it is not a terminal:  printf '%s' "$PW" | npm run user:create -- --email a@b.c --role ADMIN`;

export interface CliIo {
  readPassword(): Promise<string>;
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes from sysexits.h, so scripts can tell a typo from a refused account. */
export const EXIT = { OK: 0, USAGE: 64, DATA: 65 } as const;

/** Bootstraps accounts (the first ADMIN above all): sign-up only ever creates USERs. */
export async function userCreate(argv: string[], config: Config, logger: Logger, io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { email: { type: 'string' }, role: { type: 'string', default: 'USER' }, name: { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  const role = args.role?.toUpperCase();
  if (!args.email || !isRole(role)) {
    io.err(USAGE);
    return EXIT.USAGE;
  }

  const password = await io.readPassword();
  const services = await createServices(config, { logger });
  try {
    const displayName = args.name ?? args.email.trim().split('@')[0] ?? args.email;
    const user = await services.users.register({ email: args.email, password, displayName }, [role]);
    io.out(`Created ${role} ${user.email} (id ${user.id}).`);
    return EXIT.OK;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    io.err(`Not created: ${error.message}`);
    return EXIT.DATA;
  } finally {
    await services.close();
  }
}
