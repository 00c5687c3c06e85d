import { ConfigError } from '../../config';
import type { Logger } from '../../logger';
import { jwksDocument, type JwksDocument } from './jwks';
import { KeyDirectoryError, STATE_FILE } from './key-directory';
import { isKeyId } from './key-id';
import { canChange, describeKeySource, readKeySource, type KeySource } from './key-source';
import { hmacSigningKey, type SigningAlgorithm, type SigningKey, type SigningKeys } from './signing-key';

/**
 * - `signing`: signs new tokens (one key);
 * - `published`: verifies and is in the JWKS, signs nothing (before promotion, or after it);
 * - `retired`: verifies until `dropsAt`, then is gone;
 * - `verify-only`: the HS256 secret while an asymmetric key signs (an algorithm switch); never published.
 */
export type KeyState = 'signing' | 'published' | 'retired' | 'verify-only';

export interface KeyStatus {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly state: KeyState;
  /** When a retired key stops verifying (ms since the epoch); null for the others. */
  readonly dropsAt: number | null;
}

export interface KeyRingOptions {
  readonly algorithm: SigningAlgorithm;
  /** The HS256 secret: it signs under HS256, and only verifies under ES256/RS256. */
  readonly secret: Buffer | null;
  /** The private keys (JWT_KEYS_DIR, JWT_PRIVATE_KEY_FILE or JWT_PRIVATE_KEY): required for ES256/RS256; under HS256 they only verify. */
  readonly source: KeySource | null;
  /**
   * How long a retired key keeps verifying: the longest any token it signed can be
   * accepted, counted from when the last instance can have signed with it.
   */
  readonly retiredKeyLifetimeMs: number;
  readonly reloadIntervalMs: number;
  /** Milliseconds since the epoch; tests move it. */
  readonly now: () => number;
  readonly logger: Logger;
}

interface Entry extends KeyStatus {
  readonly key: SigningKey;
}

interface Snapshot {
  readonly signing: SigningKey;
  /** Worth a warning, once: key files others can read, a signing line HS256 ignores. */
  readonly warnings: readonly string[];
  readonly byKid: ReadonlyMap<string, Entry>;
  /** The HS256 key: the only one a token without a kid (issued before kids) can name. */
  readonly kidless: Entry | null;
}

/**
 * The keys this instance signs and verifies with. Everything is read at start-up and on
 * reload (every JWT_KEYS_RELOAD_INTERVAL, and on SIGHUP); a lookup by kid is a map probe
 * and never touches a file, the network or the database.
 */
export class KeyRing implements SigningKeys {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<boolean> | null = null;
  private queued: Promise<boolean> | null = null;
  private jwksCache: { readonly snapshot: Snapshot; readonly kids: string; readonly document: JwksDocument } | null =
    null;
  private readonly warned = new Set<string>();

  private constructor(
    private readonly options: KeyRingOptions,
    private snapshot: Snapshot,
  ) {}

  /** Reads every key once; a source that cannot be used stops the start-up, naming the variable. */
  static async load(options: KeyRingOptions): Promise<KeyRing> {
    let snapshot: Snapshot;
    try {
      snapshot = await buildSnapshot(options);
    } catch (error) {
      if (error instanceof KeyDirectoryError) {
        throw new ConfigError(options.source?.variable ?? 'JWT_ALGORITHM', error.message);
      }
      throw error;
    }
    const ring = new KeyRing(options, snapshot);
    ring.logger.info({ keys: ring.status() }, 'signing keys loaded');
    ring.warnOnce(snapshot);
    return ring;
  }

  signingKey(): SigningKey {
    return this.snapshot.signing;
  }

  find(kid: string | undefined): SigningKey | null {
    const entry = kid === undefined ? this.snapshot.kidless : isKeyId(kid) ? this.snapshot.byKid.get(kid) : undefined;
    if (!entry || (entry.dropsAt !== null && this.options.now() >= entry.dropsAt)) return null;
    return entry.key;
  }

  /** The public keys that verify now: signing, published and retired-but-not-yet-dropped. */
  jwks(): JwksDocument {
    const now = this.options.now();
    const live = [...this.snapshot.byKid.values()].filter((entry) => entry.dropsAt === null || now < entry.dropsAt);
    // The signing key first (verifiers that try keys in order find it at once), then by kid in code-unit
    // order: every instance with the same files serves the same bytes, so an ETag from one matches on all.
    live.sort(
      (a, b) =>
        Number(b.state === 'signing') - Number(a.state === 'signing') || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0),
    );
    const kids = live.map((entry) => `${entry.kid}:${entry.state}`).join(',');
    if (this.jwksCache?.snapshot !== this.snapshot || this.jwksCache.kids !== kids) {
      this.jwksCache = { snapshot: this.snapshot, kids, document: jwksDocument(live.map((entry) => entry.key)) };
    }
    return this.jwksCache.document;
  }

  status(): KeyStatus[] {
    return [...this.snapshot.byKid.values()].map(({ kid, alg, state, dropsAt }) => ({ kid, alg, state, dropsAt }));
  }

  /**
   * Re-reads the directory. A directory that is not valid as a whole (a key file half
   * copied, a state file half edited) changes nothing: the keys in use stay, and the
   * problem is logged at every attempt until it is fixed. Resolves to whether it applied.
   */
  reload(): Promise<boolean> {
    if (!this.running) return this.readNow();
    // Callers during a read share one read queued behind it: a read that never ends (a
    // stalled mount) cannot pile up one promise per interval and SIGHUP.
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.readNow();
    });
    return this.queued;
  }

  private readNow(): Promise<boolean> {
    this.running = this.readAndSwap().finally(() => (this.running = null));
    return this.running;
  }

  /** Reloads every interval until close(). */
  start(): void {
    const { source } = this.options;
    if (this.timer || source === null || !canChange(source)) return;
    this.timer = setInterval(() => void this.reload(), this.options.reloadIntervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private get logger(): Logger {
    return this.options.logger;
  }

  private get keySource(): string | null {
    return this.options.source === null ? null : describeKeySource(this.options.source);
  }

  private async readAndSwap(): Promise<boolean> {
    let next: Snapshot;
    try {
      next = await buildSnapshot(this.options);
    } catch (error) {
      const message = error instanceof KeyDirectoryError ? error.message : String(error);
      this.logger.error(
        { keySource: this.keySource, problem: message },
        'signing keys not reloaded; keeping the keys in use',
      );
      return false;
    }
    this.logChanges(this.snapshot, next);
    this.snapshot = next;
    this.warnOnce(next);
    return true;
  }

  private logChanges(before: Snapshot, after: Snapshot): void {
    for (const entry of after.byKid.values()) {
      const previous = before.byKid.get(entry.kid);
      if (previous?.state === entry.state && previous.dropsAt === entry.dropsAt) continue;
      this.logger.info(
        { kid: entry.kid, alg: entry.alg, state: entry.state, was: previous?.state ?? null, dropsAt: entry.dropsAt },
        'signing key changed state',
      );
    }
    for (const kid of before.byKid.keys()) {
      if (!after.byKid.has(kid)) this.logger.warn({ kid }, 'signing key removed: tokens it signed are refused');
    }
  }

  private warnOnce(snapshot: Snapshot): void {
    for (const warning of snapshot.warnings) {
      if (this.warned.has(warning)) continue;
      this.warned.add(warning);
      this.logger.warn({ keySource: this.keySource }, warning);
    }
  }
}

async function buildSnapshot(options: KeyRingOptions): Promise<Snapshot> {
  const { algorithm, source, retiredKeyLifetimeMs } = options;
  const hmac = options.secret ? hmacSigningKey(options.secret) : null;
  const directory = source === null ? null : await readKeySource(source);
  const byKid = new Map<string, Entry>();
  let signing: SigningKey | null = algorithm === 'HS256' ? hmac : null;
  const warnings = (directory?.looselyProtected ?? []).map(
    (name) => `${name} in ${source!.variable} can be read by other users: chmod 600 it`,
  );
  if (algorithm === 'HS256' && directory?.states.signing) {
    warnings.push(`JWT_ALGORITHM is HS256: the secret signs, and ${directory.states.signing} only verifies`);
  }
  for (const key of directory?.keys ?? []) {
    const retiredAt = directory!.states.retired.get(key.kid);
    const signs = algorithm !== 'HS256' && directory!.states.signing === key.kid;
    if (signs && key.alg !== algorithm) {
      throw new KeyDirectoryError(`the signing key ${key.kid} is an ${key.alg} key but JWT_ALGORITHM is ${algorithm}`);
    }
    if (signs) signing = key;
    byKid.set(key.kid, {
      key,
      kid: key.kid,
      alg: key.alg,
      state: signs ? 'signing' : retiredAt === undefined ? 'published' : 'retired',
      dropsAt: retiredAt === undefined ? null : retiredAt + retiredKeyLifetimeMs,
    });
  }
  if (hmac) {
    if (byKid.has(hmac.kid)) throw new KeyDirectoryError(`${hmac.kid}.pem has the kid of the HS256 secret; rename it`);
    byKid.set(hmac.kid, {
      key: hmac,
      kid: hmac.kid,
      alg: 'HS256',
      state: algorithm === 'HS256' ? 'signing' : 'verify-only',
      dropsAt: null,
    });
  }
  if (!signing) {
    throw new KeyDirectoryError(
      source?.kind === 'directory'
        ? `no key signs: name one in ${source.dir}/${STATE_FILE} ("signing <kid>"), e.g. with npm run keys:promote -- <kid>`
        : `names no private key, and JWT_ALGORITHM ${algorithm} needs one to sign`,
    );
  }
  return { signing, warnings, byKid, kidless: hmac ? byKid.get(hmac.kid)! : null };
}

/**
 * How long a retired key keeps verifying: until the last token it can have signed is
 * refused. An instance learns of the retirement up to one reload interval late and may
 * sign with the key until then; each such token is accepted for maxAcceptanceMs at most.
 */
export function retiredKeyLifetimeMs(maxAcceptanceMs: number, reloadIntervalMs: number): number {
  return maxAcceptanceMs + reloadIntervalMs;
}
