import { Migrator, type Kysely, type Migration } from 'kysely';

/**
 * Brings the database to the latest schema: every module's migrations, in name order
 * (passed in as a map, not read from disk, so the same list runs from ts-jest, tsc
 * output and a bundle). Throws, naming the failing migration, if any step fails.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, migrations: Readonly<Record<string, Migration>>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}
