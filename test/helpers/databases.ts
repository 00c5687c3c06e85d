import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPostgresDatabase, postgresAvailable } from './postgres';

export type TestDialect = 'sqlite' | 'postgres';

export interface TestDatabase {
  /** A DATABASE_URL for the app's config. */
  readonly url: string;
  /** A directory for the app's data (generated secrets and the SQLite file). */
  readonly dataDir: string;
  dispose(): Promise<void>;
}

/** A brand-new database of the given dialect, removed by dispose(). */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-test-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') {
    return { url: `file:${path.join(dataDir, 'test.db')}`, dataDir, dispose: async () => removeDir() };
  }
  const database = await createPostgresDatabase();
  return {
    url: database.url,
    dataDir,
    async dispose() {
      await database.drop();
      removeDir();
    },
  };
}

/**
 * Runs a suite once per database. Without PostgreSQL (a laptop with no server)
 * its run is listed as skipped, visibly; under CI global setup fails instead.
 */
export function describeEachDatabase(name: string, suite: (dialect: TestDialect) => void): void {
  describe(`${name} [sqlite]`, () => suite('sqlite'));
  if (postgresAvailable()) {
    describe(`${name} [postgres]`, () => suite('postgres'));
  } else {
    describe.skip(`${name} [postgres] (skipped: PostgreSQL is not reachable)`, () => {
      it('needs PostgreSQL at 127.0.0.1:5432', () => undefined);
    });
  }
}
