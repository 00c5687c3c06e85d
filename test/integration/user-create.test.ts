import { Role, roleMask } from '../../src/auth/roles';
import pino from 'pino';
import { createServices } from '../../src/app';
import { EXIT, userCreate, type CliIo } from '../../src/cli/user-create.command';
import { loadConfig, type Config } from '../../src/config';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/databases';
import { TEST_JWT_SECRET } from '../helpers/test-server';

describeEachDatabase('npm run user:create', (dialect) => {
  let database: TestDatabase;
  let config: Config;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      DATA_DIR: database.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
    });
  });
  afterAll(() => database.dispose());

  const run = async (argv: string[], password = 'a strong admin password') => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { readPassword: async () => password, out: (l) => out.push(l), err: (l) => err.push(l) };
    const code = await userCreate(argv, config, logger, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  const storedUser = async (email: string) => {
    const services = await createServices(config, { logger });
    try {
      return await services.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    } finally {
      await services.close();
    }
  };

  it('creates an ADMIN who can then log in', async () => {
    const result = await run(['--email', 'Root@Example.com', '--role', 'ADMIN']);
    expect(result).toMatchObject({ code: EXIT.OK, err: '' });
    expect(result.out).toMatch(/^Created ADMIN root@example.com \(id [0-9a-f-]{36}\)\.$/);
    const row = await storedUser('root@example.com');
    expect(row).toMatchObject({ role_mask: roleMask([Role.ADMIN]), display_name: 'Root' });
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);

    const services = await createServices(config, { logger });
    try {
      await expect(services.users.authenticate('root@example.com', 'a strong admin password')).resolves.toMatchObject({
        roles: ['ADMIN'],
      });
    } finally {
      await services.close();
    }
  });

  it.each([
    ['no --email', ['--role', 'ADMIN']],
    ['an unknown role', ['--email', 'x@example.com', '--role', 'ROOT']],
    ['an unknown flag', ['--email', 'x@example.com', '--password', 'inline']],
  ])('refuses %s with the usage text and exit 64, creating nothing', async (_name, argv) => {
    const result = await run(argv);
    expect(result.code).toBe(EXIT.USAGE);
    expect(result.err).toContain('Usage: npm run user:create');
    expect(await storedUser('x@example.com')).toBeUndefined();
  });

  it('refuses a weak password or a taken email with exit 65 and the reason', async () => {
    expect(await run(['--email', 'weak@example.com'], 'short')).toMatchObject({
      code: EXIT.DATA,
      err: 'Not created: Password must be at least 8 characters.',
    });
    expect(await storedUser('weak@example.com')).toBeUndefined();
    expect((await run(['--email', 'ROOT@example.com'])).code).toBe(EXIT.DATA);
  });
});
