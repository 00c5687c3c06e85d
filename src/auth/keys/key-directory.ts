import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isKeyId } from './key-id';
import { asymmetricKeyFromPem, type SigningKey } from './signing-key';

/*
 * The key directory (JWT_KEYS_DIR) holds one private key per file, `<kid>.pem`, and one
 * small text file, `keys.conf`, that says which key signs and which are retired:
 *
 *   signing es256-20260115-Q2x9r1Lk0bWd
 *   retired es256-20251001-Zz81fJd02kLm 2026-01-15T12:00:00Z
 *
 * A key whose file is there and that keys.conf does not name is published: it verifies
 * and is in the JWKS, and signs nothing. Each step of a rotation is one file appearing
 * (publish) or one line changing (promote, retire), and a directory read in the middle of
 * an edit is either complete or refused as a whole (the previous keys stay in use).
 */

export const STATE_FILE = 'keys.conf';
export const KEY_FILE_SUFFIX = '.pem';
/** A PEM private key is at most a few KB; anything larger is not one. */
export const MAX_KEY_FILE_BYTES = 16 * 1024;
const MAX_STATE_FILE_BYTES = 64 * 1024;
/** Far more than a rotation needs; a directory with more is a mistake. */
export const MAX_KEYS = 50;
// Seconds required and a zone required: a time without one would mean something else on every instance.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$/;

export interface KeyStates {
  /** The kid that signs new tokens; null until a key is promoted. */
  readonly signing: string | null;
  /** Retired kids and when they were retired (ms since the epoch). */
  readonly retired: ReadonlyMap<string, number>;
}

export interface KeyDirectory {
  /** Every `<kid>.pem`, sorted by kid. */
  readonly keys: readonly SigningKey[];
  readonly states: KeyStates;
  /** Key files others than the owner may read, by name (a warning, not an error). */
  readonly looselyProtected: readonly string[];
}

/** The directory cannot be used as it is; the message names the file and never quotes a key. */
export class KeyDirectoryError extends Error {
  override readonly name = 'KeyDirectoryError';
}

/** Reads and checks the whole directory; throws KeyDirectoryError rather than return part of it. */
export async function readKeyDirectory(dir: string): Promise<KeyDirectory> {
  const names = await listDirectory(dir);
  const keyFiles = names.filter((name) => name.endsWith(KEY_FILE_SUFFIX) && !name.startsWith('.')).sort();
  if (keyFiles.length > MAX_KEYS) throw new KeyDirectoryError(`holds more than ${MAX_KEYS} key files`);
  const keys: SigningKey[] = [];
  const looselyProtected: string[] = [];
  const read: Array<[string, FileIdentity]> = [];
  for (const name of keyFiles) {
    const kid = name.slice(0, -KEY_FILE_SUFFIX.length);
    if (!isKeyId(kid)) {
      throw new KeyDirectoryError(
        `${name}: a key file is named <kid>.pem, the kid of letters, digits, "-" and "_" (at most 64)`,
      );
    }
    const file = path.join(dir, name);
    const { text, mode, identity } = await readSmallFile(file, MAX_KEY_FILE_BYTES);
    read.push([file, identity]);
    if ((mode & 0o077) !== 0) looselyProtected.push(name);
    try {
      keys.push(asymmetricKeyFromPem(kid, text));
    } catch (error) {
      throw new KeyDirectoryError(`${name} ${(error as Error).message}`);
    }
  }
  const states = await readStates(dir);
  await refuseIfChangedWhileRead(read);
  const kids = new Set(keys.map((key) => key.kid));
  if (states.signing !== null && !kids.has(states.signing)) {
    throw new KeyDirectoryError(`${STATE_FILE}: the signing key ${states.signing} has no file ${states.signing}.pem`);
  }
  return { keys, states, looselyProtected };
}

async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyDirectoryError(`${dir} does not exist`);
    if (code === 'ENOTDIR') throw new KeyDirectoryError(`${dir} is not a directory`);
    if (code === 'EACCES') throw new KeyDirectoryError(`${dir} cannot be read by this process`);
    throw error;
  }
}

/** What identifies the file that was read, to notice it being replaced while a set of files is read. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Reads a small regular file through one descriptor: opened non-blocking (a FIFO swapped in
 * would otherwise block a libuv thread forever, and with it every later reload and the exit),
 * checked with fstat on that descriptor (no window between the check and the read), and read
 * to at most `maxBytes + 1` bytes (a file growing after the check is still refused).
 */
export async function readSmallFile(
  file: string,
  maxBytes: number,
): Promise<{ text: string; mode: number; identity: FileIdentity }> {
  // open follows symbolic links: mounted secrets (Kubernetes) are links into a hidden directory.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new KeyDirectoryError(`${path.basename(file)} is not a file`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new KeyDirectoryError(`${path.basename(file)} is larger than ${maxBytes} bytes`);
    const identity = { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
    return { text: buffer.subarray(0, length).toString('utf8'), mode: info.mode, identity };
  } finally {
    await handle.close();
  }
}

/**
 * Files read one after another can straddle an update (a Kubernetes Secret flips its `..data`
 * link between two reads) and mix two versions into a set that never existed: refused as a
 * whole, the keys in use stay and the next reload reads the finished update.
 */
export async function refuseIfChangedWhileRead(read: ReadonlyArray<readonly [string, FileIdentity]>): Promise<void> {
  for (const [file, identity] of read) {
    if (!(await isUnchanged(file, identity))) {
      throw new KeyDirectoryError(
        `${path.basename(file)} changed while the keys were read; read again at the next reload`,
      );
    }
  }
}

/** Whether `file` is still the file that was read (same inode, size and modification time). */
export async function isUnchanged(file: string, identity: FileIdentity): Promise<boolean> {
  try {
    const info = await stat(file);
    return (
      info.dev === identity.dev &&
      info.ino === identity.ino &&
      info.size === identity.size &&
      info.mtimeMs === identity.mtimeMs
    );
  } catch {
    return false;
  }
}

async function readStates(dir: string): Promise<KeyStates> {
  let text: string;
  try {
    text = (await readSmallFile(path.join(dir, STATE_FILE), MAX_STATE_FILE_BYTES)).text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { signing: null, retired: new Map() };
    throw error;
  }
  return parseStates(text);
}

/** Parses keys.conf: `signing <kid>` once at most, `retired <kid> <ISO 8601 time>`, `#` comments. */
export function parseStates(text: string): KeyStates {
  let signing: string | null = null;
  const retired = new Map<string, number>();
  const fail = (line: number, problem: string) => new KeyDirectoryError(`${STATE_FILE} line ${line}: ${problem}`);
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [verb, kid, time, ...rest] = line.split(/\s+/);
    const n = index + 1;
    if (!isKeyId(kid)) throw fail(n, 'expected "signing <kid>" or "retired <kid> <time>"');
    if (kid === signing || retired.has(kid)) throw fail(n, `${kid} is named twice`);
    if (verb === 'signing' && time === undefined) {
      // Two signing lines are a promotion written half-way (the new line added, the old one kept).
      if (signing !== null) throw fail(n, `two signing keys (${signing} and ${kid}); exactly one key signs`);
      signing = kid;
    } else if (verb === 'retired' && time !== undefined && rest.length === 0) {
      const at = TIMESTAMP.test(time) ? Date.parse(time) : NaN;
      if (Number.isNaN(at)) throw fail(n, `"${time}" is not a time like 2026-01-15T12:00:00Z`);
      retired.set(kid, at);
    } else {
      throw fail(n, 'expected "signing <kid>" or "retired <kid> <time>"');
    }
  });
  return { signing, retired };
}

export function formatStates(states: KeyStates): string {
  const lines = [
    '# Tollgate signing keys: which <kid>.pem signs, and which are retired (and since when).',
    '# A key file not named here is published: it verifies and is in the JWKS, and signs nothing.',
  ];
  if (states.signing !== null) lines.push(`signing ${states.signing}`);
  for (const [kid, at] of [...states.retired].sort(([, a], [, b]) => a - b)) {
    lines.push(`retired ${kid} ${new Date(at).toISOString()}`);
  }
  return lines.join('\n') + '\n';
}

/** Replaces keys.conf in one rename: an instance reading meanwhile sees the old file or the new one. */
export async function writeStates(dir: string, states: KeyStates): Promise<void> {
  await replaceFile(path.join(dir, STATE_FILE), formatStates(states));
}

/**
 * Adds `<kid>.pem` (mode 0600) without ever showing a half-written key: written under a
 * dot-name the reader ignores, then linked into place (which fails if the kid exists).
 */
export async function writeKeyFile(dir: string, kid: string, pem: string): Promise<string> {
  if (!isKeyId(kid)) throw new KeyDirectoryError(`"${kid}" is not a valid kid`);
  const file = path.join(dir, `${kid}${KEY_FILE_SUFFIX}`);
  const temporary = temporaryName(file);
  await writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
  } finally {
    await unlink(temporary);
  }
  return file;
}

async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = temporaryName(file);
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}
