import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MIN_SECRET_BYTES } from '../config';
import type { Logger } from '../logger';

export const SECRET_FILE_NAME = 'jwt-secret';
export const REFRESH_SECRET_FILE_NAME = 'refresh-token-secret';

interface GeneratedSecret {
  readonly fileName: string;
  /** The variable that, when set, replaces the file. */
  readonly variable: string;
  readonly what: string;
}

/**
 * Development convenience for a missing JWT_SECRET: a random 256-bit secret kept
 * in the data directory (mode 0600) so tokens survive restarts. Never used in
 * production, where loadConfig refuses to start without JWT_SECRET.
 */
export function loadOrCreateSigningSecret(dataDir: string, logger: Logger): Buffer {
  return loadOrCreateSecret(dataDir, logger, {
    fileName: SECRET_FILE_NAME,
    variable: 'JWT_SECRET',
    what: 'signing secret',
  });
}

/**
 * The same for REFRESH_TOKEN_SECRET, the root of the keys that must not change when
 * signing keys do (refresh-token successors, attempt counters, audit pseudonyms).
 */
export function loadOrCreateRefreshSecret(dataDir: string, logger: Logger): Buffer {
  return loadOrCreateSecret(dataDir, logger, {
    fileName: REFRESH_SECRET_FILE_NAME,
    variable: 'REFRESH_TOKEN_SECRET',
    what: 'refresh-token secret',
  });
}

function loadOrCreateSecret(dataDir: string, logger: Logger, secret: GeneratedSecret): Buffer {
  const file = path.join(dataDir, secret.fileName);
  const existing = readSecret(file);
  if (existing) {
    logger.warn(
      `${secret.variable} is not set; using the generated ${secret.what} in ${file}. Set ${secret.variable} in production.`,
    );
    return existing;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(32);
  try {
    // 'wx': if another process won the race, use its secret rather than overwrite it.
    writeFileSync(file, generated.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadOrCreateSecret(dataDir, logger, secret);
  }
  logger.warn(
    `${secret.variable} is not set; generated a ${secret.what} in ${file}. Set ${secret.variable} in production.`,
  );
  return generated;
}

function readSecret(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const secret = Buffer.from(text.trim(), 'base64url');
  if (secret.length < MIN_SECRET_BYTES)
    throw new Error(`${file} holds fewer than ${MIN_SECRET_BYTES} bytes; delete it to generate a new one`);
  // Someone may have copied the file with looser permissions; a readable signing key lets anyone mint tokens.
  chmodSync(file, 0o600);
  return secret;
}
