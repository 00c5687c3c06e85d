import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** What one run creates outside the repository, and removes when it ends however it ends. */
export interface Scratch {
  /** A fresh temporary directory for the servers' databases and data. */
  readonly dir: string;
  /** Creates this run's PostgreSQL database and returns its URL; throws when PostgreSQL cannot be reached. */
  createPostgresDatabase(): Promise<string>;
  /** Deletes the directory and, if it was created, drops the PostgreSQL database. */
  remove(): Promise<void>;
}

export function createScratch(postgresUrl: string): Scratch {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-bench-'));
  const pgDatabase = `tollgate_bench_${Date.now()}`;
  let pgCreated = false;
  return {
    dir,
    async createPostgresDatabase() {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create database ${pgDatabase}`);
      await admin.end();
      pgCreated = true;
      const pgUrl = new URL(postgresUrl);
      pgUrl.pathname = `/${pgDatabase}`;
      return pgUrl.toString();
    },
    async remove() {
      rmSync(dir, { recursive: true, force: true });
      if (pgCreated) {
        const admin = new pg.Client({ connectionString: postgresUrl });
        await admin.connect();
        await admin.query(`drop database if exists ${pgDatabase} with (force)`);
        await admin.end();
      }
    },
  };
}
