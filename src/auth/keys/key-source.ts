import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  KeyDirectoryError,
  MAX_KEY_FILE_BYTES,
  MAX_KEYS,
  readKeyDirectory,
  readSmallFile,
  refuseIfChangedWhileRead,
  type FileIdentity,
} from './key-directory';
import { jwkThumbprint } from './key-id';
import { asymmetricKeyFromPem, type SigningKey } from './signing-key';

/**
 * Where the asymmetric private keys come from; one source per deployment:
 *
 * - `JWT_KEYS_DIR`: a directory of `<kid>.pem` and `keys.conf` (publish → promote → retire
 *   with `npm run keys:*`, no restart);
 * - `JWT_PRIVATE_KEY_FILE`: one PEM file or a comma-separated list (mounted secrets). The first
 *   signs, the others verify and are published; rotation is a rolling restart per step;
 * - `JWT_PRIVATE_KEY`: one PEM in the environment, which signs (platforms with only
 *   environment secrets). Rotation is a switch to a file list or directory.
 *
 * Files are re-read at every reload, so a secret store that rewrites a mounted file is
 * picked up; the environment cannot change under a running process.
 */
export type KeySource =
  | { readonly kind: 'directory'; readonly variable: 'JWT_KEYS_DIR'; readonly dir: string }
  | { readonly kind: 'files'; readonly variable: 'JWT_PRIVATE_KEY_FILE'; readonly files: readonly string[] }
  | { readonly kind: 'environment'; readonly variable: 'JWT_PRIVATE_KEY'; readonly pem: string };

/** Every key of a source and which one signs; read and checked whole, or refused whole. */
export interface KeySet {
  readonly keys: readonly SigningKey[];
  readonly states: { readonly signing: string | null; readonly retired: ReadonlyMap<string, number> };
  /** Key files others than the owner may read, by name (a warning, not an error). */
  readonly looselyProtected: readonly string[];
}

export async function readKeySource(source: KeySource): Promise<KeySet> {
  switch (source.kind) {
    case 'directory':
      return readKeyDirectory(source.dir);
    case 'files':
      return readKeyFiles(source.files);
    case 'environment':
      return keySetOf([keyFromPem('the key', source.pem)], []);
  }
}

/** What a log line may say about the source: paths, never a key. */
export function describeKeySource(source: KeySource): string {
  switch (source.kind) {
    case 'directory':
      return source.dir;
    case 'files':
      return source.files.join(',');
    case 'environment':
      return 'JWT_PRIVATE_KEY (environment)';
  }
}

/** Whether re-reading can find anything new: the environment is fixed for the life of the process. */
export function canChange(source: KeySource): boolean {
  return source.kind !== 'environment';
}

async function readKeyFiles(files: readonly string[]): Promise<KeySet> {
  if (files.length > MAX_KEYS) throw new KeyDirectoryError(`lists more than ${MAX_KEYS} key files`);
  const keys: SigningKey[] = [];
  const looselyProtected: string[] = [];
  const read: Array<[string, FileIdentity]> = [];
  for (const file of files) {
    const name = path.basename(file);
    let text: string;
    try {
      if ((await stat(file)).isDirectory()) {
        throw new KeyDirectoryError(`${file} is a directory: a directory of <kid>.pem keys is JWT_KEYS_DIR`);
      }
      const { text: content, mode, identity } = await readSmallFile(file, MAX_KEY_FILE_BYTES);
      text = content;
      read.push([file, identity]);
      if ((mode & 0o077) !== 0) looselyProtected.push(file);
    } catch (error) {
      throw fileProblem(file, error);
    }
    keys.push(keyFromPem(name, text));
  }
  await refuseIfChangedWhileRead(read);
  return keySetOf(keys, looselyProtected);
}

/**
 * A key outside the directory has no file name to take its kid from; its RFC 7638 thumbprint
 * gives every instance the same kid for the same key, whatever the file is called.
 */
function keyFromPem(label: string, pem: string): SigningKey {
  try {
    return asymmetricKeyFromPem(
      (publicKey, alg) => `${alg.toLowerCase()}-${jwkThumbprint(publicKey).slice(0, 16)}`,
      pem,
    );
  } catch (error) {
    // asymmetricKeyFromPem's messages never quote the key.
    throw new KeyDirectoryError(`${label} ${(error as Error).message}`);
  }
}

/** The first key signs; the others verify (published). */
function keySetOf(keys: readonly SigningKey[], looselyProtected: readonly string[]): KeySet {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.kid)) throw new KeyDirectoryError(`the same key is listed twice (${key.kid})`);
    seen.add(key.kid);
  }
  return { keys, states: { signing: keys[0]?.kid ?? null, retired: new Map() }, looselyProtected };
}

function fileProblem(file: string, error: unknown): KeyDirectoryError {
  if (error instanceof KeyDirectoryError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new KeyDirectoryError(`${file} does not exist`);
  if (code === 'EACCES') return new KeyDirectoryError(`${file} cannot be read by this process`);
  return new KeyDirectoryError(`${file} cannot be read (${code ?? 'unknown error'})`);
}
