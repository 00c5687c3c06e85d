import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig, DatabaseTimeouts } from '../config';
import type { Logger } from '../logger';
import type { Database } from './database';
import { guardPool, type Connectivity } from './guarded-pool';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** Whether the database answered lately (PostgreSQL; an embedded SQLite file always does). */
  connectivity(): Connectivity;
  close(): Promise<void>;
}

const INT8_OID = 20;
/**
 * A request waits at most `connectMs` for a PostgreSQL connection, then fails with 503:
 * while the server is unreachable, clients get an answer quickly instead of piling up.
 * (DATABASE_CONNECT_TIMEOUT, DATABASE_QUERY_TIMEOUT; these are their defaults.)
 */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = Object.freeze({ connectMs: 3000, queryMs: 30_000 });
const ALWAYS_REACHABLE: Connectivity = Object.freeze({ reachable: true, failures: 0 });

export function openDatabase(
  config: DatabaseConfig,
  logger: Logger,
  timeouts: DatabaseTimeouts = DEFAULT_DATABASE_TIMEOUTS,
): DatabaseHandle {
  return config.kind === 'sqlite' ? openSqlite(config.path, logger) : openPostgres(config.url, logger, timeouts);
}

function openSqlite(file: string, logger: Logger): DatabaseHandle {
  if (file !== ':memory:') keepPrivate(file, logger);
  const database = new SqliteDatabase(file);
  // WAL lets readers run during a write; busy_timeout makes a second process wait rather than fail.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: 'sqlite', connectivity: () => ALWAYS_REACHABLE, close: () => db.destroy() };
}

/**
 * The database file holds password hashes: only this process's user may read it. SQLite
 * creates a new file 0644 (less the umask) and gives its -wal and -shm files the
 * database file's mode, so the file is created 0600 first and looser ones are tightened.
 */
function keepPrivate(file: string, logger: Logger): void {
  const directory = path.dirname(file);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory as it is; an operator's 0755 DATA_DIR lists the files to anyone.
  if ((statSync(directory).mode & 0o077) !== 0) {
    logger.warn({ directory }, 'the data directory is readable by other users; run chmod 700 on it');
  }
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(each) && (statSync(each).mode & 0o077) !== 0) {
      chmodSync(each, 0o600);
      logger.warn({ file: each }, 'made a database file readable by its owner only (it was readable by others)');
    }
  }
}

/** Distinct SQL texts the app issues are few (tens); the bound only guards against surprises. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query afresh; better-sqlite3 statements can be reused,
 * and preparing was the largest single cost of a `me` request. Kysely runs one
 * query at a time on the connection, so sharing a statement is safe.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  } as SqliteDialectConfig['database'];
}

function openPostgres(connectionString: string, logger: Logger, timeouts: DatabaseTimeouts): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: timeouts.connectMs,
    // Client-side: a statement unanswered this long means a dead connection (guardPool drops it).
    query_timeout: timeouts.queryMs,
    // An idle pooled connection whose peer vanished without a word is found out by the OS (a busy one by query_timeout).
    keepAlive: true,
    types: {
      // Epoch-millisecond BIGINTs fit a double exactly; pg would hand them over as strings.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const guarded = guardPool(pool, logger);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guarded }) });
  return { db, dialect: 'postgres', connectivity: () => guarded.connectivity, close: () => db.destroy() };
}

/** Unique-constraint violations, as each driver reports them. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
