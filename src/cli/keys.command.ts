import { parseArgs } from 'node:util';
import { addSigningKey, DEFAULT_RSA_BITS } from '../auth/keys/key-generation';
import { KeyDirectoryError, readKeyDirectory, STATE_FILE, writeStates } from '../auth/keys/key-directory';
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from '../auth/keys/signing-key';

export const USAGE = `Usage:
  npm run keys:generate -- [--alg ES256|RS256] [--bits ${DEFAULT_RSA_BITS}] [--dir <dir>]
      a new private key, <kid>.pem (0600): published (it verifies and is in the JWKS), not signing
  npm run keys:promote -- <kid> [--dir <dir>]
      <kid> signs from now on; the key it replaces stays published
  npm run keys:retire -- <kid> [--dir <dir>]
      <kid> keeps verifying until the last token it signed has expired, then is dropped
  npm run keys:list -- [--dir <dir>]

<dir> defaults to JWT_KEYS_DIR, else ./keys. Every instance re-reads the directory every
JWT_KEYS_RELOAD_INTERVAL (30 s by default) and on SIGHUP.`;

export interface KeysIo {
  out(line: string): void;
  err(line: string): void;
  now(): Date;
  /** JWT_KEYS_DIR, or ./keys. */
  readonly defaultDir: string;
}

/** sysexits.h: a usage mistake, or data that does not allow the step. */
export const EXIT = { OK: 0, USAGE: 64, DATA: 65 } as const;

class StepRefused extends Error {}

/** The three steps of a rotation (and a listing), as edits of the key directory that cannot be half-applied. */
export async function keysCommand(argv: readonly string[], io: KeysIo): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { dir: { type: 'string' }, alg: { type: 'string', default: 'ES256' }, bits: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  const dir = values.dir ?? io.defaultDir;
  try {
    switch (command) {
      case 'generate': {
        const alg = values.alg?.toUpperCase();
        if (!ASYMMETRIC_ALGORITHMS.includes(alg as AsymmetricAlgorithm) || positionals.length > 0) break;
        if (alg !== 'RS256' && values.bits !== undefined) break;
        const rsaBits = values.bits === undefined ? undefined : Number(values.bits);
        return await generate(dir, alg as AsymmetricAlgorithm, rsaBits, io);
      }
      case 'promote':
        if (positionals.length !== 1) break;
        return await promote(dir, positionals[0]!, io);
      case 'retire':
        if (positionals.length !== 1) break;
        return await retire(dir, positionals[0]!, io);
      case 'list':
        if (positionals.length !== 0) break;
        return await list(dir, io);
    }
  } catch (error) {
    if (!(error instanceof KeyDirectoryError || error instanceof StepRefused || error instanceof RangeError))
      throw error;
    io.err(`${dir}: ${error.message}`);
    return EXIT.DATA;
  }
  io.err(USAGE);
  return EXIT.USAGE;
}

async function generate(dir: string, alg: AsymmetricAlgorithm, rsaBits: number | undefined, io: KeysIo) {
  const { kid, file } = await addSigningKey(dir, alg, { ...(rsaBits === undefined ? {} : { rsaBits }), now: io.now() });
  io.out(kid);
  io.out(`Wrote ${file} (${alg}, mode 0600). It is published: it verifies and is in the JWKS, and signs nothing.
Next:
  1. Put it in JWT_KEYS_DIR on every instance (each re-reads the directory within JWT_KEYS_RELOAD_INTERVAL).
  2. Wait at least JWT_KEYS_RELOAD_INTERVAL + JWKS_MAX_AGE (30 s + 5 min by default), so that every
     verifier's cached JWKS holds it, then promote it:  npm run keys:promote -- ${kid}
  3. When the promotion has reached every instance (JWT_KEYS_RELOAD_INTERVAL), retire the key it
     replaced:  npm run keys:retire -- <previous kid>`);
  return EXIT.OK;
}

async function promote(dir: string, kid: string, io: KeysIo) {
  const { keys, states } = await readKeyDirectory(dir);
  if (!keys.some((key) => key.kid === kid)) throw new StepRefused(`there is no key ${kid}.pem`);
  if (states.retired.has(kid)) throw new StepRefused(`${kid} is retired; generate a new key instead`);
  if (states.signing === kid) {
    io.out(`${kid} already signs.`);
    return EXIT.OK;
  }
  await writeStates(dir, { signing: kid, retired: states.retired });
  io.out(`${kid} signs from now on (${STATE_FILE} rewritten).`);
  if (states.signing !== null) {
    io.out(`${states.signing} no longer signs, and keeps verifying. Once every instance has switched
(JWT_KEYS_RELOAD_INTERVAL), retire it:  npm run keys:retire -- ${states.signing}`);
  }
  return EXIT.OK;
}

async function retire(dir: string, kid: string, io: KeysIo) {
  const { keys, states } = await readKeyDirectory(dir);
  if (!keys.some((key) => key.kid === kid)) throw new StepRefused(`there is no key ${kid}.pem`);
  if (states.signing === kid) throw new StepRefused(`${kid} signs; promote another key first`);
  const since = states.retired.get(kid);
  if (since !== undefined) throw new StepRefused(`${kid} is retired since ${new Date(since).toISOString()}`);
  const at = io.now();
  await writeStates(dir, { signing: states.signing, retired: new Map([...states.retired, [kid, at.getTime()]]) });
  io.out(`${kid} is retired as of ${at.toISOString()}. It verifies for ACCESS_TOKEN_TTL + 35 s +
JWT_KEYS_RELOAD_INTERVAL more, then every instance drops it (and the JWKS no longer lists it);
its file can be deleted after that.`);
  return EXIT.OK;
}

async function list(dir: string, io: KeysIo) {
  const { keys, states } = await readKeyDirectory(dir);
  if (keys.length === 0) io.out('No keys.');
  for (const key of keys) {
    const retiredAt = states.retired.get(key.kid);
    const state =
      states.signing === key.kid
        ? 'signing'
        : retiredAt === undefined
          ? 'published'
          : `retired since ${new Date(retiredAt).toISOString()}`;
    io.out(`${key.kid}  ${key.alg}  ${state}`);
  }
  return EXIT.OK;
}
