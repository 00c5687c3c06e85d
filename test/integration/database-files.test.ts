import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import pino from 'pino';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { allMigrations } from '../../src/modules';
import { describeEachDatabase, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { Role, roleMask } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { capturingLogger } from '../helpers/capturing-logger';

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('the SQLite files (they hold password hashes)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tollgate-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = async (file: string, logger = capturingLogger().logger) => {
    const handle = openDatabase({ kind: 'sqlite', path: file }, logger);
    await migrateToLatest(handle.db, allMigrations());
    return handle;
  };

  it('creates the database, -wal and -shm files readable by their owner only, whatever the umask', async () => {
    const previous = process.umask(0o022);
    let handle: DatabaseHandle | undefined;
    try {
      const file = path.join(dir, 'data', 'tollgate.db');
      handle = await open(file);
      for (const each of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(each)).toBe(0o600);
      expect(modeOf(path.dirname(file))).toBe(0o700);
    } finally {
      process.umask(previous);
      await handle?.close();
    }
  });

  it('tightens existing world-readable files and warns about a readable data directory', async () => {
    const data = path.join(dir, 'shared');
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    const file = path.join(data, 'tollgate.db');
    const first = await open(file);
    await first.close();
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '');
    chmodSync(`${file}-wal`, 0o644);

    const { logger, lines } = capturingLogger();
    const handle = await open(file, logger);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(`${file}-wal`)).toBe(0o600);
    await handle.close();
    const messages = lines.map((line) => line.msg);
    expect(messages).toContain('the data directory is readable by other users; run chmod 700 on it');
    expect(messages).toContain('made a database file readable by its owner only (it was readable by others)');
  });
});

describeEachDatabase('migrations that rewrite data', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    handle = openDatabase(
      loadConfig({ DATABASE_URL: database.url, DATA_DIR: database.dataDir }).database,
      pino({ level: 'silent' }),
    );
  });
  afterEach(async () => {
    await handle.close();
    await database.dispose();
  });

  /** The database as it was after `name`: the data a later migration finds. */
  const migrateTo = async (name: string) => {
    const migrator = new Migrator({ db: handle.db, provider: { getMigrations: async () => ({ ...allMigrations() }) } });
    expect((await migrator.migrateTo(name)).error).toBeUndefined();
  };

  it('0006 drops failed-login details of unknown emails and the verbatim subject column, keeping the rest', async () => {
    await migrateTo('0005_attempt_counters');
    const row = (id: string, userId: string | null, details: string, subject: string) => sql`
      insert into audit_events (id, at, type, user_id, details, subject)
      values (${id}, 1, 'LOGIN_FAILED', ${userId}, ${details}, ${subject})`;
    await sql`
      insert into users (id, email, password_hash, display_name, roles, disabled, created_at, updated_at)
      values ('u1', 'known@example.com', 'h', 'K', 'USER', 0, 1, 1)`.execute(handle.db);
    await row('e1', null, '{"email":"my secret password"}', 'my secret password').execute(handle.db);
    await row('e2', 'u1', '{"email":"known@example.com"}', 'known@example.com').execute(handle.db);

    await migrateToLatest(handle.db, allMigrations());
    const rows = await sql<Record<string, unknown>>`select * from audit_events order by id`.execute(handle.db);
    expect(rows.rows.map((r) => [r.id, r.details])).toEqual([
      ['e1', null],
      ['e2', '{"email":"known@example.com"}'],
    ]);
    expect(Object.keys(rows.rows[0]!)).not.toContain('subject');
    expect(JSON.stringify(rows.rows)).not.toContain('my secret password');
  });
  it('0007 reads whole role names from the old comma-separated column into one bit each', async () => {
    await migrateTo('0006_forget_attempted_emails');
    const stored: Array<[string, string]> = [
      ['u1', 'USER'],
      ['u2', 'ADMIN'],
      ['u3', 'USER,EDITOR'],
      ['u4', 'EDITOR,ADMIN,USER'],
    ];
    for (const [id, roles] of stored) {
      await sql`
        insert into users (id, email, password_hash, display_name, roles, disabled, created_at, updated_at)
        values (${id}, ${`${id}@example.com`}, 'h', 'N', ${roles}, 0, 1, 1)`.execute(handle.db);
    }
    await migrateToLatest(handle.db, allMigrations());
    const rows = await handle.db.selectFrom('users').select(['id', 'role_mask']).orderBy('id').execute();
    expect(rows.map((row) => [row.id, Number(row.role_mask)])).toEqual([
      ['u1', roleMask([Role.USER])],
      ['u2', roleMask([Role.ADMIN])],
      ['u3', roleMask([Role.USER, Role.EDITOR])],
      ['u4', roleMask([Role.USER, Role.EDITOR, Role.ADMIN])],
    ]);
  });
});
