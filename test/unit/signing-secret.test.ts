import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { SECRET_FILE_NAME, loadOrCreateSigningSecret } from '../../src/auth/signing-secret';

describe('the generated development signing secret', () => {
  let dir: string;
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });

  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'tollgate-secret-')), 'data');
    warnings.length = 0;
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('is 256 random bits, kept with mode 0600, with a one-line warning', () => {
    const secret = loadOrCreateSigningSecret(dir, logger);
    expect(secret).toHaveLength(32);
    const file = path.join(dir, SECRET_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/JWT_SECRET is not set/);
    expect(warnings[0]).not.toContain(secret.toString('base64url'));
    expect(readFileSync(file, 'utf8').trim()).toBe(secret.toString('base64url'));
  });

  it('survives a restart, so tokens stay valid', () => {
    const first = loadOrCreateSigningSecret(dir, logger);
    expect(loadOrCreateSigningSecret(dir, logger).equals(first)).toBe(true);
  });

  it('tightens a secret file someone left readable to others', () => {
    loadOrCreateSigningSecret(dir, logger);
    const file = path.join(dir, SECRET_FILE_NAME);
    chmodSync(file, 0o644);
    loadOrCreateSigningSecret(dir, logger);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a secret file that holds too few bytes', () => {
    loadOrCreateSigningSecret(dir, logger);
    writeFileSync(path.join(dir, SECRET_FILE_NAME), 'c2hvcnQ\n');
    expect(() => loadOrCreateSigningSecret(dir, logger)).toThrow(/fewer than 32 bytes/);
  });
});
