import { sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { readKeyDirectory, writeStates } from '../../src/auth/keys/key-directory';
import { addSigningKey } from '../../src/auth/keys/key-generation';
import { KeyRing, retiredKeyLifetimeMs } from '../../src/auth/keys/key-ring';
import type { KeySource } from '../../src/auth/keys/key-source';
import type { AsymmetricAlgorithm, SigningAlgorithm } from '../../src/auth/keys/signing-key';
import { maxAcceptanceMsFor } from '../../src/auth/tokens';
import type { TestClock } from './clock';

/**
 * A key directory in a temporary folder, changed the way an operator does: keys written by
 * the code behind `npm run keys:generate`, and keys.conf rewritten whole (keys:promote/retire).
 */
export class TestKeyDirectory {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'tollgate-keys-'));

  /** A new published key; 2048-bit RSA, since test speed matters more here than margin. */
  async add(alg: AsymmetricAlgorithm = 'ES256'): Promise<string> {
    return (await addSigningKey(this.dir, alg, { rsaBits: 2048 })).kid;
  }

  async promote(kid: string): Promise<void> {
    const { states } = await readKeyDirectory(this.dir);
    await writeStates(this.dir, { signing: kid, retired: states.retired });
  }

  /** Writes keys.conf whole, whatever it held (a repaired file). */
  async writeStates(signing: string, retired: ReadonlyMap<string, number> = new Map()): Promise<void> {
    await writeStates(this.dir, { signing, retired });
  }

  async retire(kid: string, atMs: number): Promise<void> {
    const { states } = await readKeyDirectory(this.dir);
    await writeStates(this.dir, { signing: states.signing, retired: new Map([...states.retired, [kid, atMs]]) });
  }

  /** The private key of `kid`, as the file holds it: for tokens a test signs itself. */
  async privateKey(kid: string): Promise<KeyObject> {
    const key = (await readKeyDirectory(this.dir)).keys.find((candidate) => candidate.kid === kid);
    if (!key) throw new Error(`no key ${kid}`);
    return key.privateKey;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const TEST_TTL_SECONDS = 900;
export const TEST_RELOAD_INTERVAL_MS = 30_000;
/** How long a retired key verifies with the test lifetime and reload interval. */
export const TEST_RETIRED_KEY_LIFETIME_MS = retiredKeyLifetimeMs(
  maxAcceptanceMsFor(TEST_TTL_SECONDS),
  TEST_RELOAD_INTERVAL_MS,
);

export function loadTestKeyRing(
  clock: TestClock,
  options: { algorithm: SigningAlgorithm; keysDir?: string | null; source?: KeySource; secret?: Buffer | null },
): Promise<KeyRing> {
  const { keysDir } = options;
  return KeyRing.load({
    algorithm: options.algorithm,
    secret: options.secret ?? null,
    source: options.source ?? (keysDir ? { kind: 'directory', variable: 'JWT_KEYS_DIR', dir: keysDir } : null),
    retiredKeyLifetimeMs: TEST_RETIRED_KEY_LIFETIME_MS,
    reloadIntervalMs: TEST_RELOAD_INTERVAL_MS,
    now: clock.now,
    logger: pino({ level: 'silent' }),
  });
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS over any header and claims, signed with any asymmetric key (ES256 as r‖s). */
export function signWithKey(
  privateKey: KeyObject,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    ...(privateKey.asymmetricKeyType === 'ec' ? { dsaEncoding: 'ieee-p1363' as const } : {}),
  });
  return `${input}.${signature.toString('base64url')}`;
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
}
