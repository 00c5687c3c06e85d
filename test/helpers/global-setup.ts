import { AVAILABILITY_VARIABLE, POSTGRES_ADMIN_URL, probePostgres } from './postgres';

/**
 * Decides once whether the PostgreSQL runs of the database suites happen.
 * Under CI=true PostgreSQL is required: unreachable is a failure, not a skip.
 */
export default async function globalSetup(): Promise<void> {
  const problem = await probePostgres();
  if (problem === null) {
    process.env[AVAILABILITY_VARIABLE] = 'available';
    return;
  }
  if (process.env.CI === 'true') {
    throw new Error(`PostgreSQL is required under CI but ${POSTGRES_ADMIN_URL} is unreachable: ${problem}`);
  }
  process.env[AVAILABILITY_VARIABLE] = 'unavailable';
  console.warn(
    `\n⚠ PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${problem}).\n` +
      '  The database suites run on SQLite only; their PostgreSQL runs are skipped.\n',
  );
}
