import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import pino from 'pino';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect';
import { MIGRATIONS, migrateToLatest } from '../../src/db/migrate';
import { describeEachDatabase, createTestDatabase, type TestDatabase } from '../helpers/databases';
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
    await migrateToLatest(handle.db);
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

describeEachDatabase('migration 0006: attempted emails are forgotten', (dialect) => {
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

  it('drops failed-login details of unknown emails and the verbatim subject column, keeping the rest', async () => {
    const migrator = new Migrator({ db: handle.db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
    expect((await migrator.migrateTo('0005_attempt_counters')).error).toBeUndefined();
    const row = (id: string, userId: string | null, details: string, subject: string) => sql`
      insert into audit_events (id, at, type, user_id, details, subject)
      values (${id}, 1, 'LOGIN_FAILED', ${userId}, ${details}, ${subject})`;
    await handle.db
      .insertInto('users')
      .values({
        id: 'u1',
        email: 'known@example.com',
        password_hash: 'h',
        display_name: 'K',
        roles: 'USER',
        disabled: 0,
        created_at: 1,
        updated_at: 1,
        last_login_at: null,
      })
      .execute();
    await row('e1', null, '{"email":"my secret password"}', 'my secret password').execute(handle.db);
    await row('e2', 'u1', '{"email":"known@example.com"}', 'known@example.com').execute(handle.db);

    await migrateToLatest(handle.db);
    const rows = await sql<Record<string, unknown>>`select * from audit_events order by id`.execute(handle.db);
    expect(rows.rows.map((r) => [r.id, r.details])).toEqual([
      ['e1', null],
      ['e2', '{"email":"known@example.com"}'],
    ]);
    expect(Object.keys(rows.rows[0]!)).not.toContain('subject');
    expect(JSON.stringify(rows.rows)).not.toContain('my secret password');
  });
});
