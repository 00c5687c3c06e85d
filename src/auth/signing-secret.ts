import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MIN_SECRET_BYTES } from '../config';
import type { Logger } from '../logger';

export const SECRET_FILE_NAME = 'jwt-secret';

/**
 * Development convenience for a missing JWT_SECRET: a random 256-bit secret kept
 * in the data directory (mode 0600) so tokens survive restarts. Never used in
 * production, where loadConfig refuses to start without JWT_SECRET.
 */
export function loadOrCreateSigningSecret(dataDir: string, logger: Logger): Buffer {
  const file = path.join(dataDir, SECRET_FILE_NAME);
  const existing = readSecret(file);
  if (existing) {
    logger.warn(`JWT_SECRET is not set; signing with the generated secret in ${file}. Set JWT_SECRET in production.`);
    return existing;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  try {
    // 'wx': if another process won the race, use its secret rather than overwrite it.
    writeFileSync(file, secret.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadOrCreateSigningSecret(dataDir, logger);
  }
  logger.warn(`JWT_SECRET is not set; generated a signing secret in ${file}. Set JWT_SECRET in production.`);
  return secret;
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
