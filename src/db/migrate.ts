import { Migrator, type Kysely, type Migration } from 'kysely';
import * as createUsers from './migrations/0001_create_users';
import * as sessionsAndAudit from './migrations/0002_sessions_and_audit';
import * as loginThrottling from './migrations/0003_login_throttling';
import * as credentialsVersion from './migrations/0004_credentials_version';
import * as attemptCounters from './migrations/0005_attempt_counters';
import * as forgetAttemptedEmails from './migrations/0006_forget_attempted_emails';

// Listed here rather than read from disk, so the same list runs from ts-jest, tsc output and a bundle.
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_create_users': createUsers,
  '0002_sessions_and_audit': sessionsAndAudit,
  '0003_login_throttling': loginThrottling,
  '0004_credentials_version': credentialsVersion,
  '0005_attempt_counters': attemptCounters,
  '0006_forget_attempted_emails': forgetAttemptedEmails,
};

/** Brings the database to the latest schema; throws (with the failing migration's name) if any step fails. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}
