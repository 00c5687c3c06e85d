import { statSync } from 'node:fs';
import path from 'node:path';
import { readKeyDirectory } from '../../src/auth/keys/key-directory';
import { EXIT, keysCommand } from '../../src/cli/keys.command';
import { TestKeyDirectory } from '../helpers/signing-keys';

describe('npm run keys:*', () => {
  let directory: TestKeyDirectory;
  const now = new Date(Date.UTC(2026, 3, 15, 9, 0, 0));
  beforeEach(() => (directory = new TestKeyDirectory()));
  afterEach(() => directory.dispose());

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await keysCommand(argv, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      now: () => now,
      defaultDir: path.join(directory.dir, 'keys'),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('generates a published key (0600, in a 0700 directory) and says what to do next', async () => {
    const { code, out } = await run('generate', '--alg', 'ES256');
    expect(code).toBe(EXIT.OK);
    const kid = out.split('\n')[0]!;
    expect(kid).toMatch(/^es256-20260415-[A-Za-z0-9_-]{12}$/);
    const dir = path.join(directory.dir, 'keys');
    expect(statSync(path.join(dir, `${kid}.pem`)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(out).toContain(`npm run keys:promote -- ${kid}`);
    const { states } = await readKeyDirectory(dir);
    expect(states.signing).toBeNull();
  });

  it('promotes, leaves the replaced key published, and retires it as of now', async () => {
    const first = (await run('generate')).out.split('\n')[0]!;
    expect((await run('promote', first)).code).toBe(EXIT.OK);
    const second = (await run('generate', '--alg', 'RS256', '--bits', '2048')).out.split('\n')[0]!;
    expect(second).toMatch(/^rs256-/);
    const promoted = await run('promote', second);
    expect(promoted.out).toContain(`npm run keys:retire -- ${first}`);
    expect((await run('retire', first)).code).toBe(EXIT.OK);

    const { states } = await readKeyDirectory(path.join(directory.dir, 'keys'));
    expect(states.signing).toBe(second);
    expect([...states.retired]).toEqual([[first, now.getTime()]]);
    expect((await run('list')).out).toBe(
      [`${first}  ES256  retired since 2026-04-15T09:00:00.000Z`, `${second}  RS256  signing`].sort().join('\n'),
    );
  });

  it.each<[string, string[], number]>([
    ['an unknown command', ['rotate'], EXIT.USAGE],
    ['HS256 (a secret, not a key file)', ['generate', '--alg', 'HS256'], EXIT.USAGE],
    ['--bits for an EC key', ['generate', '--bits', '4096'], EXIT.USAGE],
    ['an RSA key under 2048 bits', ['generate', '--alg', 'RS256', '--bits', '1024'], EXIT.DATA],
    ['promoting a key that does not exist', ['promote', 'es256-20260101-nothing00000'], EXIT.DATA],
    ['promote without a kid', ['promote'], EXIT.USAGE],
  ])('refuses %s', async (_name, argv, code) => {
    expect((await run(...argv)).code).toBe(code);
  });

  it('refuses to retire the signing key, and to promote a retired one', async () => {
    const first = (await run('generate')).out.split('\n')[0]!;
    await run('promote', first);
    expect((await run('retire', first)).err).toMatch(/signs; promote another key first/);
    const second = (await run('generate')).out.split('\n')[0]!;
    await run('promote', second);
    await run('retire', first);
    expect((await run('promote', first)).err).toMatch(/is retired/);
  });
});
