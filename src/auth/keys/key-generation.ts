import { generateKeyPair } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { writeKeyFile } from './key-directory';
import { jwkThumbprint } from './key-id';
import { MIN_RSA_BITS, type AsymmetricAlgorithm } from './signing-key';

const generate = promisify(generateKeyPair);

/** NIST puts 3072-bit RSA at 128-bit security, ES256's level; 2048 is the floor. */
export const DEFAULT_RSA_BITS = 3072;
const MAX_RSA_BITS = 8192;

export interface NewKey {
  readonly kid: string;
  readonly alg: AsymmetricAlgorithm;
  /** PKCS#8 PEM private key. */
  readonly pem: string;
}

/**
 * A fresh private key, with a kid that sorts by date and ends with the start of its RFC 7638
 * thumbprint: `es256-20260115-Q2x9r1Lk0bWd`.
 */
export async function generateSigningKey(
  alg: AsymmetricAlgorithm,
  options: { rsaBits?: number; now?: Date } = {},
): Promise<NewKey> {
  const rsaBits = options.rsaBits ?? DEFAULT_RSA_BITS;
  if (alg === 'RS256' && (!Number.isInteger(rsaBits) || rsaBits < MIN_RSA_BITS || rsaBits > MAX_RSA_BITS)) {
    throw new RangeError(`RSA keys have ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits (got ${rsaBits})`);
  }
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? await generate('ec', { namedCurve: 'P-256' })
      : await generate('rsa', { modulusLength: rsaBits, publicExponent: 0x10001 });
  const date = (options.now ?? new Date()).toISOString().slice(0, 10).replaceAll('-', '');
  const kid = `${alg.toLowerCase()}-${date}-${jwkThumbprint(publicKey).slice(0, 12)}`;
  return { kid, alg, pem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
}

/**
 * Generates a key into the directory (created 0700 if missing), as `<kid>.pem` with mode
 * 0600. keys.conf does not name it, so it is published and signs nothing until promoted.
 */
export async function addSigningKey(
  dir: string,
  alg: AsymmetricAlgorithm,
  options: { rsaBits?: number; now?: Date } = {},
): Promise<{ kid: string; file: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = await generateSigningKey(alg, options);
  return { kid: key.kid, file: await writeKeyFile(dir, key.kid, key.pem) };
}
