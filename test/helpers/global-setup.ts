import { AVAILABILITY_VARIABLE, POSTGRES_ADMIN_URL, probePostgres } from './postgres';
import { REDIS_AVAILABILITY_VARIABLE, REDIS_URL, probeRedis } from './redis';

/**
 * Decides once whether the PostgreSQL and Redis runs of the suites happen.
 * Under CI=true both are required: unreachable is a failure, not a skip.
 */
export default async function globalSetup(): Promise<void> {
  const services = [
    { name: 'PostgreSQL', url: POSTGRES_ADMIN_URL, variable: AVAILABILITY_VARIABLE, problem: await probePostgres() },
    { name: 'Redis', url: REDIS_URL, variable: REDIS_AVAILABILITY_VARIABLE, problem: await probeRedis() },
  ];
  for (const service of services) {
    if (service.problem === null) {
      process.env[service.variable] = 'available';
      continue;
    }
    if (process.env.CI === 'true') {
      throw new Error(`${service.name} is required under CI but ${service.url} is unreachable: ${service.problem}`);
    }
    process.env[service.variable] = 'unavailable';
    console.warn(
      `\n⚠ ${service.name} is not reachable at ${service.url} (${service.problem}).\n` +
        `  The suites that need it are skipped; they run wherever ${service.name} is up (and always under CI).\n`,
    );
  }
}
