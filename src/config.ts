import path from 'node:path';
import type { KeySource } from './auth/keys/key-source';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './auth/keys/signing-key';

/** Where the process runs; decides introspection, the landing page, stack traces and secret rules. */
export type NodeEnv = 'development' | 'production' | 'test';

export type DatabaseConfig =
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

export interface JwtConfig {
  /**
   * HS256 secret (JWT_SECRET); null means "generate one and keep it in the data directory"
   * (never in production under HS256). Under ES256/RS256 it only verifies, for a switch.
   */
  readonly secret: Buffer | null;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
}

export interface SigningKeysConfig {
  /** JWT_ALGORITHM: HS256 signs with JWT_SECRET; ES256 and RS256 with the signing key of `source`. */
  readonly algorithm: SigningAlgorithm;
  /**
   * The private keys, from exactly one of JWT_KEYS_DIR (`<kid>.pem` and `keys.conf`),
   * JWT_PRIVATE_KEY_FILE (PEM files, the first signs) or JWT_PRIVATE_KEY (one PEM). Required
   * for ES256/RS256; under HS256 their keys only verify.
   */
  readonly source: KeySource | null;
  /** How often every instance re-reads the key files (so a published key reaches all of them). */
  readonly reloadIntervalSeconds: number;
  /** `Cache-Control: max-age` of the JWKS. */
  readonly jwksMaxAgeSeconds: number;
}

export interface SessionConfig {
  /** Seconds a session may live at most, however it is used. */
  readonly absoluteLifetimeSeconds: number;
  /** Seconds without a refresh after which the session ends. */
  readonly idleTimeoutSeconds: number;
  /** Seconds a rotated refresh token still returns its successor (tabs racing, retries). */
  readonly reuseGraceSeconds: number;
}

/** At most `max` attempts in a fixed window of `windowSeconds`. */
export interface AttemptLimit {
  readonly max: number;
  readonly windowSeconds: number;
}

/** Brakes on guessing and on anonymous work, counted before the work they guard. */
export interface ThrottleConfig {
  /** Failed logins for one email from one IP before that pair must wait. */
  readonly loginPerEmailAndIp: AttemptLimit;
  /** Failed logins from one IP, any emails, before that IP must wait (credential stuffing). */
  readonly loginPerIp: AttemptLimit;
  /** Wrong current passwords given to changePassword for one user (a stolen access token guessing). */
  readonly passwordChangePerUser: AttemptLimit;
  /** Sign-ups from one IP, successful or not (each costs a hash and can probe for an email). */
  readonly signUpPerIp: AttemptLimit;
  /**
   * Failed logins for one account (an email, from every IP together). Past `max` its
   * attempts are paced, never refused outright: a stranger must not lock a user out.
   */
  readonly loginPerAccount: PacedLimit;
  /** Refreshes from one IP, successful or not: generous, since many tabs and clients share a NAT. */
  readonly refreshPerIp: AttemptLimit;
}

/** Past `max` attempts in the window, one attempt per `slowdownSeconds` still goes through. */
export interface PacedLimit extends AttemptLimit {
  readonly slowdownSeconds: number;
}

export interface RedisConfig {
  readonly url: string;
  /** Prefix of every key and channel, so several deployments can share one Redis. */
  readonly keyPrefix: string;
}

/** Bounds on GraphQL subscriptions over WebSocket (src/subscriptions/). */
export interface SubscriptionsConfig {
  /** Open sockets one signed-in user may hold, over all their sessions (on this instance). */
  readonly maxConnectionsPerUser: number;
  /** Open sockets from one client address (an IPv6 /64), signed in or not (on this instance). */
  readonly maxConnectionsPerIp: number;
  /** Subscriptions running at once on one socket. */
  readonly maxSubscriptionsPerConnection: number;
  /** Milliseconds a socket may stay open before sending `connection_init`. */
  readonly connectionInitTimeoutMs: number;
  /** Bytes of one incoming WebSocket message; a larger one closes the socket (1009). */
  readonly maxMessageBytes: number;
}

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly jwt: JwtConfig;
  /** What signs access tokens, and the key directory that rotates. */
  readonly signingKeys: SigningKeysConfig;
  /**
   * REFRESH_TOKEN_SECRET: the root of the keys that must not change when signing keys do
   * (refresh-token successors, attempt counters, audit pseudonyms); null: generated (never in production).
   */
  readonly refreshTokenSecret: Buffer | null;
  readonly sessions: SessionConfig;
  readonly throttle: ThrottleConfig;
  /** Set when several instances share the database: revocations travel between them through Redis. */
  readonly redis: RedisConfig | null;
  /** Trust X-Forwarded-For from this many proxies in front (0: use the socket address). */
  readonly trustProxyHops: number;
  /** Exact origins allowed by CORS. Empty means no cross-origin access at all; `*` is refused. */
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  /** Where Prometheus scrapes `/metrics` (its own listener); null: not served. */
  readonly metrics: MetricsConfig | null;
  /** How long PostgreSQL may take before a request fails with 503 instead of waiting on it. */
  readonly databaseTimeouts: DatabaseTimeouts;
  /** Seconds SIGTERM/SIGINT may take to drain requests and close the stores before the process gives up (exit 1). */
  readonly shutdownTimeoutSeconds: number;
  readonly subscriptions: SubscriptionsConfig;
  /**
   * AUTHORIZATION_MODE: what an operation asking for a field its caller may not read gets when
   * the request does not say (`extensions.authorization`): `partial` (null and an error at that
   * path, the rest answered) or `reject` (nothing runs; one error per denied path).
   */
  readonly authorizationMode: AuthorizationMode;
  readonly mail: MailConfig;
  readonly accounts: AccountsConfig;
  /** Passkeys (WebAuthn): the relying party browsers bind credentials to; null when off. */
  readonly passkeys: PasskeysConfig | null;
}

/** The WebAuthn relying party (src/modules/passkeys/). */
export interface PasskeysConfig {
  /** WEBAUTHN_RP_ID: the domain credentials are scoped to (`example.com`); every origin must be it or below it. */
  readonly rpId: string;
  /** WEBAUTHN_RP_NAME: what the browser's passkey prompt shows. */
  readonly rpName: string;
  /** WEBAUTHN_ORIGINS: the exact origins a ceremony may come from (the web app's). */
  readonly origins: readonly string[];
}

export type AuthorizationMode = 'partial' | 'reject';

/** How mail leaves (src/mail/): SMTP when SMTP_URL is set, else (never in production) the outbox directory. */
export interface MailConfig {
  /** SMTP_URL (`smtp://` or `smtps://`, credentials included): never logged. Null: the outbox. */
  readonly smtpUrl: string | null;
  /**
   * DATA_DIR/outbox: each message as an `.eml` file (mode 0600) when SMTP_URL is unset. Null in
   * production, which never writes mail to disk: there, without SMTP_URL, nothing is sent.
   */
  readonly outboxDir: string | null;
  /** MAIL_FROM: the From header of every message. */
  readonly from: string;
  /** PUBLIC_URL: the web app's base URL, which links in messages point to (no trailing slash). */
  readonly publicUrl: string;
}

/**
 * Whether a passkey or TOTP may be added only to an account whose address is proven: whenever a
 * mail flow can hand the account to whoever holds the address (a verification link, or a password
 * reset, which proves it too), a second factor added before that proof would outlive it and let
 * whoever signed up with someone else's address back in (a pre-hijacked account).
 */
export function secondFactorsNeedProvenAddress(accounts: AccountsConfig): boolean {
  return accounts.emailVerification || accounts.passwordReset;
}

/** The account flows that send mail (src/modules/accounts/). */
export interface AccountsConfig {
  /** EMAIL_VERIFICATION: sign-up sends a verification link; resendVerification and changeEmail work. */
  readonly emailVerification: boolean;
  /** PASSWORD_RESET: requestPasswordReset and resetPassword work. */
  readonly passwordReset: boolean;
  /** REQUIRE_VERIFIED_EMAIL: login (and sign-up) open no session until the email is verified. */
  readonly requireVerifiedEmail: boolean;
  readonly throttle: AccountsThrottleConfig;
}

/** Every call counts (a rate): each may send a message to someone's mailbox. */
export interface AccountsThrottleConfig {
  readonly passwordResetPerEmail: AttemptLimit;
  readonly passwordResetPerIp: AttemptLimit;
  readonly verificationResendPerEmail: AttemptLimit;
  readonly verificationResendPerIp: AttemptLimit;
  readonly changeEmailPerUser: AttemptLimit;
  readonly changeEmailPerIp: AttemptLimit;
}

export interface DatabaseTimeouts {
  /** To get a connection (a new one, or a free one from the pool). */
  readonly connectMs: number;
  /** For one statement's answer; past it the connection is presumed dead and dropped. */
  readonly queryMs: number;
}

/** A listener of its own, so the API port never exposes metrics and a scraper needs no token. */
export interface MetricsConfig {
  readonly host: string;
  readonly port: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Thrown for a bad environment; the message always names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

/** HS256 keys shorter than the hash output weaken the MAC (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const NODE_ENVS: readonly NodeEnv[] = ['development', 'production', 'test'];
const AUTHORIZATION_MODES: readonly AuthorizationMode[] = ['partial', 'reject'];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads, validates and freezes the configuration. The only reader of
 * `process.env` in the code base: everything else is handed a Config.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const nodeEnv = oneOf('NODE_ENV', env.NODE_ENV, NODE_ENVS, 'development');
  const dataDir = path.resolve(cwd, nonEmpty(env.DATA_DIR) ?? 'data');
  const signingKeys = parseSigningKeys(env, cwd);

  const config: Config = {
    nodeEnv,
    host: nonEmpty(env.HOST) ?? 'localhost',
    port: integer('PORT', env.PORT, { min: 0, max: 65535, fallback: 4000 }),
    dataDir,
    database: parseDatabaseUrl(env.DATABASE_URL, dataDir, cwd),
    jwt: {
      secret: parseSecret(env.JWT_SECRET, nodeEnv, signingKeys.algorithm),
      issuer: nonEmpty(env.JWT_ISSUER) ?? 'tollgate',
      audience: nonEmpty(env.JWT_AUDIENCE) ?? 'tollgate-api',
      accessTokenTtlSeconds: duration('ACCESS_TOKEN_TTL', env.ACCESS_TOKEN_TTL, {
        fallback: 15 * 60,
        min: 30,
        max: 24 * 60 * 60,
      }),
    },
    sessions: {
      absoluteLifetimeSeconds: duration('REFRESH_TOKEN_TTL', env.REFRESH_TOKEN_TTL, {
        fallback: 30 * 86400,
        min: 60,
        max: 365 * 86400,
      }),
      idleTimeoutSeconds: duration('SESSION_IDLE_TIMEOUT', env.SESSION_IDLE_TIMEOUT, {
        fallback: 7 * 86400,
        min: 60,
        max: 365 * 86400,
      }),
      reuseGraceSeconds: duration('REFRESH_REUSE_GRACE', env.REFRESH_REUSE_GRACE, { fallback: 10, min: 0, max: 60 }),
    },
    throttle: parseThrottle(env),
    redis: parseRedis(env.REDIS_URL, env.REDIS_KEY_PREFIX),
    trustProxyHops: integer('TRUST_PROXY_HOPS', env.TRUST_PROXY_HOPS, { min: 0, max: 10, fallback: 0 }),
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
    logLevel: oneOf('LOG_LEVEL', env.LOG_LEVEL, LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
    metrics: parseMetrics(env),
    databaseTimeouts: parseDatabaseTimeouts(env),
    shutdownTimeoutSeconds: duration('SHUTDOWN_TIMEOUT', env.SHUTDOWN_TIMEOUT, { fallback: 10, min: 1, max: 600 }),
    subscriptions: parseSubscriptions(env),
    authorizationMode: oneOf('AUTHORIZATION_MODE', env.AUTHORIZATION_MODE, AUTHORIZATION_MODES, 'partial'),
    signingKeys,
    refreshTokenSecret: parseRefreshTokenSecret(env.REFRESH_TOKEN_SECRET, nodeEnv),
    ...parseMailAndAccounts(env, nodeEnv, dataDir),
    passkeys: parsePasskeys(env, nodeEnv),
  };
  return deepFreeze(config);
}

function parseThrottle(env: Env): ThrottleConfig {
  const failureWindow = duration('LOGIN_FAILURE_WINDOW', env.LOGIN_FAILURE_WINDOW, {
    fallback: 15 * 60,
    min: 60,
    max: 86400,
  });
  return {
    loginPerEmailAndIp: {
      max: integer('LOGIN_MAX_FAILURES_PER_EMAIL_IP', env.LOGIN_MAX_FAILURES_PER_EMAIL_IP, {
        min: 1,
        max: 10_000,
        fallback: 10,
      }),
      windowSeconds: failureWindow,
    },
    loginPerIp: {
      max: integer('LOGIN_MAX_FAILURES_PER_IP', env.LOGIN_MAX_FAILURES_PER_IP, {
        min: 1,
        max: 1_000_000,
        fallback: 100,
      }),
      windowSeconds: failureWindow,
    },
    passwordChangePerUser: {
      max: integer('PASSWORD_CHANGE_MAX_FAILURES', env.PASSWORD_CHANGE_MAX_FAILURES, {
        min: 1,
        max: 10_000,
        fallback: 5,
      }),
      windowSeconds: failureWindow,
    },
    signUpPerIp: {
      max: integer('SIGNUP_MAX_PER_IP', env.SIGNUP_MAX_PER_IP, { min: 1, max: 1_000_000, fallback: 10 }),
      windowSeconds: duration('SIGNUP_WINDOW', env.SIGNUP_WINDOW, { fallback: 3600, min: 60, max: 7 * 86400 }),
    },
    loginPerAccount: {
      max: integer('LOGIN_MAX_FAILURES_PER_ACCOUNT', env.LOGIN_MAX_FAILURES_PER_ACCOUNT, {
        min: 1,
        max: 1_000_000,
        fallback: 20,
      }),
      windowSeconds: failureWindow,
      slowdownSeconds: parseSlowdown(env.LOGIN_ACCOUNT_SLOWDOWN, failureWindow),
    },
    refreshPerIp: {
      max: integer('REFRESH_MAX_PER_IP', env.REFRESH_MAX_PER_IP, { min: 1, max: 100_000_000, fallback: 600 }),
      windowSeconds: duration('REFRESH_WINDOW', env.REFRESH_WINDOW, { fallback: 60, min: 1, max: 3600 }),
    },
  };
}

/** One login per this many seconds for an account past its failures; a pace, so shorter than the window it paces. */
function parseSlowdown(raw: string | undefined, failureWindow: number): number {
  const seconds = duration('LOGIN_ACCOUNT_SLOWDOWN', raw, { fallback: 10, min: 1, max: 300 });
  if (seconds >= failureWindow) {
    throw new ConfigError('LOGIN_ACCOUNT_SLOWDOWN', `must be shorter than LOGIN_FAILURE_WINDOW (${failureWindow}s)`);
  }
  return seconds;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

function integer(name: string, raw: string | undefined, opts: { min: number; max: number; fallback: number }): number {
  const value = nonEmpty(raw);
  if (value === undefined) return opts.fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a whole number (got "${value}")`);
  const n = Number(value);
  if (n < opts.min || n > opts.max) throw new ConfigError(name, `must be between ${opts.min} and ${opts.max}`);
  return n;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Accepts plain seconds ("900") or a number with a unit ("15m", "1h", "30d"). */
export function duration(
  name: string,
  raw: string | undefined,
  opts: { fallback: number; min: number; max: number },
): number {
  const value = nonEmpty(raw);
  if (value === undefined) return opts.fallback;
  const match = /^(\d+)\s*([smhd]?)$/.exec(value);
  if (!match) throw new ConfigError(name, `must be seconds or a duration like 15m, 1h, 7d (got "${value}")`);
  const seconds = Number(match[1]) * DURATION_UNITS[match[2] || 's']!;
  if (seconds < opts.min || seconds > opts.max) {
    throw new ConfigError(name, `must be between ${opts.min}s and ${opts.max}s (got ${seconds}s)`);
  }
  return seconds;
}

function parseDatabaseUrl(raw: string | undefined, dataDir: string, cwd: string): DatabaseConfig {
  const value = nonEmpty(raw);
  if (value === undefined) return { kind: 'sqlite', path: path.join(dataDir, 'tollgate.db') };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: value };
  }
  const file = /^(?:sqlite|file):(.+)$/i.exec(value);
  if (file) return { kind: 'sqlite', path: path.resolve(cwd, file[1]!.replace(/^\/\/(?=\/)/, '')) };
  throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL or a file: path to a SQLite database');
}

function parseRedis(rawUrl: string | undefined, rawPrefix: string | undefined): RedisConfig | null {
  const url = nonEmpty(rawUrl);
  if (url === undefined) return null;
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  const keyPrefix = nonEmpty(rawPrefix) ?? 'tollgate:';
  if (!/^[\w:.-]{1,64}$/.test(keyPrefix)) {
    throw new ConfigError('REDIS_KEY_PREFIX', 'may hold letters, digits, ":", ".", "_" and "-" (at most 64)');
  }
  return { url, keyPrefix };
}

function parseSecret(raw: string | undefined, nodeEnv: NodeEnv, algorithm: SigningAlgorithm): Buffer | null {
  // Not trimmed: a secret is bytes, and silently changing it would sign with a different key.
  if (raw === undefined || raw === '') {
    if (nodeEnv === 'production' && algorithm === 'HS256') {
      throw new ConfigError('JWT_SECRET', `is required in production (at least ${MIN_SECRET_BYTES} bytes)`);
    }
    return null;
  }
  const secret = Buffer.from(raw, 'utf8');
  if (secret.length < MIN_SECRET_BYTES) {
    throw new ConfigError('JWT_SECRET', `must be at least ${MIN_SECRET_BYTES} bytes (got ${secret.length})`);
  }
  return secret;
}

/**
 * Where the keys CLI works by default: JWT_KEYS_DIR, else ./keys. Apart from loadConfig because
 * the CLI needs no database and no secret, and must run where the rest of the config is incomplete.
 */
export function keysCliDirectory(env: Env = process.env, cwd: string = process.cwd()): string {
  return path.resolve(cwd, nonEmpty(env.JWT_KEYS_DIR) ?? 'keys');
}

function parseSigningKeys(env: Env, cwd: string): SigningKeysConfig {
  const algorithm = oneOf('JWT_ALGORITHM', env.JWT_ALGORITHM, SIGNING_ALGORITHMS, 'HS256');
  const source = parseKeySource(env, cwd);
  if (source === null && algorithm !== 'HS256') {
    throw new ConfigError(
      'JWT_KEYS_DIR',
      `is required when JWT_ALGORITHM is ${algorithm}: a directory of <kid>.pem private keys (npm run keys:generate), or set JWT_PRIVATE_KEY_FILE or JWT_PRIVATE_KEY`,
    );
  }
  return {
    algorithm,
    source,
    reloadIntervalSeconds: duration('JWT_KEYS_RELOAD_INTERVAL', env.JWT_KEYS_RELOAD_INTERVAL, {
      fallback: 30,
      min: 1,
      max: 3600,
    }),
    jwksMaxAgeSeconds: duration('JWKS_MAX_AGE', env.JWKS_MAX_AGE, { fallback: 300, min: 0, max: 86400 }),
  };
}

/** A private key's PEM header: what JWT_PRIVATE_KEY must hold, and a path variable must not. */
const PEM_PRIVATE_KEY_HEADER = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/**
 * A key pasted where its path belongs (the usual `*_FILE` mix-up) would be quoted back in
 * "… does not exist": such a value is refused without being echoed, as is anything that
 * could not be a path.
 */
function keyPath(variable: string, value: string): string {
  if (/-----BEGIN|PRIVATE KEY/.test(value)) {
    throw new ConfigError(
      variable,
      'holds PEM text, not a path: put the key itself in JWT_PRIVATE_KEY, or its path here',
    );
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (value.length > 4096 || /[\u0000-\u001f\u007f]|\\n/.test(value)) {
    throw new ConfigError(variable, 'is not a file path');
  }
  return value;
}

function parseKeySource(env: Env, cwd: string): KeySource | null {
  const dir = nonEmpty(env.JWT_KEYS_DIR);
  const files = nonEmpty(env.JWT_PRIVATE_KEY_FILE);
  // Whitespace around PEM means nothing. Platforms that cannot hold newlines pass them as "\n".
  const pem = env.JWT_PRIVATE_KEY === undefined || env.JWT_PRIVATE_KEY === '' ? undefined : env.JWT_PRIVATE_KEY;
  const given = [
    dir === undefined ? null : 'JWT_KEYS_DIR',
    files === undefined ? null : 'JWT_PRIVATE_KEY_FILE',
    pem === undefined ? null : 'JWT_PRIVATE_KEY',
  ].filter((name) => name !== null);
  if (given.length > 1) {
    throw new ConfigError(given[1]!, `cannot be combined with ${given[0]}: the signing keys come from one source`);
  }
  if (dir !== undefined) {
    return { kind: 'directory', variable: 'JWT_KEYS_DIR', dir: path.resolve(cwd, keyPath('JWT_KEYS_DIR', dir)) };
  }
  if (files !== undefined) {
    const list = keyPath('JWT_PRIVATE_KEY_FILE', files)
      .split(',')
      .map((file) => file.trim());
    if (list.some((file) => file === '')) {
      throw new ConfigError('JWT_PRIVATE_KEY_FILE', 'must be a PEM file or a comma-separated list of them');
    }
    const resolved = list.map((file) => path.resolve(cwd, file));
    if (new Set(resolved).size !== resolved.length) {
      throw new ConfigError('JWT_PRIVATE_KEY_FILE', 'lists the same file twice');
    }
    return { kind: 'files', variable: 'JWT_PRIVATE_KEY_FILE', files: resolved };
  }
  if (pem !== undefined) {
    const trimmed = pem.trim();
    const text = trimmed.includes('\n') ? trimmed : trimmed.replaceAll('\\n', '\n');
    if (!PEM_PRIVATE_KEY_HEADER.test(text)) {
      throw new ConfigError('JWT_PRIVATE_KEY', 'must be a PEM private key ("-----BEGIN PRIVATE KEY-----" …)');
    }
    return { kind: 'environment', variable: 'JWT_PRIVATE_KEY', pem: text };
  }
  return null;
}

/**
 * Required in production whatever the algorithm: it must outlive every signing key. Upgrading
 * from a version that derived these keys from JWT_SECRET, setting it to that value keeps them all.
 */
function parseRefreshTokenSecret(raw: string | undefined, nodeEnv: NodeEnv): Buffer | null {
  // Not trimmed, like JWT_SECRET.
  if (raw === undefined || raw === '') {
    if (nodeEnv === 'production') {
      throw new ConfigError(
        'REFRESH_TOKEN_SECRET',
        `is required in production (at least ${MIN_SECRET_BYTES} bytes); when upgrading, the value of JWT_SECRET keeps every derived key as it was`,
      );
    }
    return null;
  }
  const secret = Buffer.from(raw, 'utf8');
  if (secret.length < MIN_SECRET_BYTES) {
    throw new ConfigError('REFRESH_TOKEN_SECRET', `must be at least ${MIN_SECRET_BYTES} bytes (got ${secret.length})`);
  }
  return secret;
}

function parseOrigins(raw: string | undefined): readonly string[] {
  const value = nonEmpty(raw);
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((origin) => {
      // A wildcard would let any site read authenticated responses (with credentials, browsers reflect it).
      if (origin === '*') throw new ConfigError('CORS_ORIGINS', 'must list exact origins; "*" is not allowed');
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin like https://app.example.com`);
      }
      if (!/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
        throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin like https://app.example.com`);
      }
      return url.origin;
    });
}

/**
 * Off unless METRICS_PORT is set. METRICS_HOST defaults to 127.0.0.1, not HOST: HOST is
 * often 0.0.0.0 in a container, and traffic and failure counts are for the operator only;
 * a scraper on another machine needs METRICS_HOST set on purpose.
 */
/**
 * Short enough that while PostgreSQL is unreachable a request fails in seconds, not after
 * a client gave up; the statement timeout is long, since it is only a backstop for a
 * connection that went silent (a partition): TCP would take minutes to notice.
 */
function parseDatabaseTimeouts(env: Env): DatabaseTimeouts {
  return {
    connectMs:
      1000 * duration('DATABASE_CONNECT_TIMEOUT', env.DATABASE_CONNECT_TIMEOUT, { fallback: 3, min: 1, max: 60 }),
    queryMs: 1000 * duration('DATABASE_QUERY_TIMEOUT', env.DATABASE_QUERY_TIMEOUT, { fallback: 30, min: 1, max: 3600 }),
  };
}

/** Generous for a browser tab or an app (one socket carries every subscription of a client). */
function parseSubscriptions(env: Env): SubscriptionsConfig {
  return {
    maxConnectionsPerUser: integer('WS_MAX_CONNECTIONS_PER_USER', env.WS_MAX_CONNECTIONS_PER_USER, {
      min: 1,
      max: 10_000,
      fallback: 20,
    }),
    maxConnectionsPerIp: integer('WS_MAX_CONNECTIONS_PER_IP', env.WS_MAX_CONNECTIONS_PER_IP, {
      min: 1,
      max: 1_000_000,
      fallback: 100,
    }),
    maxSubscriptionsPerConnection: integer(
      'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION',
      env.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      {
        min: 1,
        max: 1000,
        fallback: 20,
      },
    ),
    connectionInitTimeoutMs:
      1000 * duration('WS_CONNECTION_INIT_TIMEOUT', env.WS_CONNECTION_INIT_TIMEOUT, { fallback: 5, min: 1, max: 60 }),
    maxMessageBytes: integer('WS_MAX_MESSAGE_BYTES', env.WS_MAX_MESSAGE_BYTES, {
      min: 1024,
      max: 1024 * 1024,
      fallback: 64 * 1024,
    }),
  };
}

function parseMetrics(env: Env): MetricsConfig | null {
  if (nonEmpty(env.METRICS_PORT) === undefined) return null;
  const port = integer('METRICS_PORT', env.METRICS_PORT, { min: 0, max: 65535, fallback: 0 });
  if (port !== 0 && port === integer('PORT', env.PORT, { min: 0, max: 65535, fallback: 4000 })) {
    throw new ConfigError('METRICS_PORT', 'must differ from PORT (metrics are served on a listener of their own)');
  }
  return { host: nonEmpty(env.METRICS_HOST) ?? '127.0.0.1', port };
}

/**
 * Mail is needed as soon as one flow that sends it is on (both are by default). Production
 * never writes mail to a directory: without SMTP_URL it refuses to start unless both flows
 * are turned off (EMAIL_VERIFICATION=false, PASSWORD_RESET=false).
 */
function parseMailAndAccounts(
  env: Env,
  nodeEnv: NodeEnv,
  dataDir: string,
): { mail: MailConfig; accounts: AccountsConfig } {
  const emailVerification = flag('EMAIL_VERIFICATION', env.EMAIL_VERIFICATION, true);
  const passwordReset = flag('PASSWORD_RESET', env.PASSWORD_RESET, true);
  const requireVerifiedEmail = flag('REQUIRE_VERIFIED_EMAIL', env.REQUIRE_VERIFIED_EMAIL, false);
  if (requireVerifiedEmail && !emailVerification) {
    throw new ConfigError('REQUIRE_VERIFIED_EMAIL', 'needs EMAIL_VERIFICATION on: nobody could verify an address');
  }
  const mailInProduction = nodeEnv === 'production' && (emailVerification || passwordReset);
  const smtpUrl = parseSmtpUrl(env.SMTP_URL);
  if (mailInProduction && smtpUrl === null) {
    throw new ConfigError(
      'SMTP_URL',
      'is required in production while EMAIL_VERIFICATION or PASSWORD_RESET is on (set both to false to run without mail)',
    );
  }
  const from = nonEmpty(env.MAIL_FROM);
  if (mailInProduction && from === undefined) {
    throw new ConfigError('MAIL_FROM', 'is required in production while a flow that sends mail is on');
  }
  // A line break would let the value add headers of its own.
  if (from !== undefined && (/[\r\n]/.test(from) || !/[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+/.test(from))) {
    throw new ConfigError('MAIL_FROM', 'must be an address like "Tollgate <no-reply@example.com>"');
  }
  return {
    mail: {
      smtpUrl,
      outboxDir: nodeEnv === 'production' ? null : path.join(dataDir, 'outbox'),
      from: from ?? 'Tollgate <no-reply@localhost>',
      publicUrl: parsePublicUrl(env.PUBLIC_URL, mailInProduction),
    },
    accounts: {
      emailVerification,
      passwordReset,
      requireVerifiedEmail,
      throttle: parseAccountsThrottle(env),
    },
  };
}

/**
 * Passkeys are on by default outside production, for `npm run web` (http://localhost:5173) and
 * the API's own pages on localhost. In production a relying party must be named on purpose:
 * on when WEBAUTHN_RP_ID is set (or PASSKEYS=true, which then requires it), with its origins.
 */
function parsePasskeys(env: Env, nodeEnv: NodeEnv): PasskeysConfig | null {
  const production = nodeEnv === 'production';
  const rawRpId = nonEmpty(env.WEBAUTHN_RP_ID);
  const enabled = flag('PASSKEYS', env.PASSKEYS, !production || rawRpId !== undefined);
  if (!enabled) return null;
  if (production && rawRpId === undefined) {
    throw new ConfigError('WEBAUTHN_RP_ID', 'is required in production while PASSKEYS is on (e.g. example.com)');
  }
  const rpId = (rawRpId ?? 'localhost').toLowerCase();
  // A registrable domain name, no scheme, port or path (WebAuthn §5.1.4 "RP ID"); IP addresses are not valid RP IDs.
  if (
    !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(rpId) ||
    /^[\d.]+$/.test(rpId)
  ) {
    throw new ConfigError(
      'WEBAUTHN_RP_ID',
      `must be a domain name like example.com, without scheme or port (got "${rpId}")`,
    );
  }
  const rpName = nonEmpty(env.WEBAUTHN_RP_NAME) ?? 'Tollgate';
  if (rpName.length > 64 || /[\p{Cc}]/u.test(rpName)) {
    throw new ConfigError('WEBAUTHN_RP_NAME', 'must be at most 64 characters on one line');
  }
  const rawOrigins = nonEmpty(env.WEBAUTHN_ORIGINS);
  if (production && rawOrigins === undefined) {
    throw new ConfigError(
      'WEBAUTHN_ORIGINS',
      'is required in production while PASSKEYS is on (e.g. https://app.example.com)',
    );
  }
  const origins = (rawOrigins ?? 'http://localhost:5173,http://localhost:4000')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => passkeyOrigin(origin, rpId, production));
  if (origins.length === 0) throw new ConfigError('WEBAUTHN_ORIGINS', 'must list at least one origin');
  return { rpId, rpName, origins };
}

/** An exact origin whose host is the RP ID or a subdomain of it; https, or http to localhost outside production. */
function passkeyOrigin(origin: string, rpId: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new ConfigError('WEBAUTHN_ORIGINS', `"${origin}" is not an origin like https://app.example.com`);
  }
  if (url.origin !== origin.replace(/\/$/, '') || !/^https?:$/.test(url.protocol)) {
    throw new ConfigError('WEBAUTHN_ORIGINS', `"${origin}" is not an origin like https://app.example.com`);
  }
  // Browsers run WebAuthn only in a secure context: https, or http://localhost.
  if (url.protocol === 'http:' && (production || url.hostname !== 'localhost')) {
    throw new ConfigError('WEBAUTHN_ORIGINS', `"${origin}" must be https (http only to localhost, outside production)`);
  }
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
    throw new ConfigError('WEBAUTHN_ORIGINS', `"${origin}" is not on WEBAUTHN_RP_ID "${rpId}" or a subdomain of it`);
  }
  return url.origin;
}

function flag(name: string, raw: string | undefined, fallback: boolean): boolean {
  return oneOf(name, raw?.toLowerCase(), ['true', 'false'] as const, fallback ? 'true' : 'false') === 'true';
}

/** Never quoted back in an error: it may hold the SMTP password. */
function parseSmtpUrl(raw: string | undefined): string | null {
  const value = nonEmpty(raw);
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('SMTP_URL', 'must be a URL like smtps://user:password@smtp.example.com:465');
  }
  if (!/^smtps?:$/.test(url.protocol) || url.hostname === '') {
    throw new ConfigError('SMTP_URL', 'must be a URL like smtps://user:password@smtp.example.com:465');
  }
  return value;
}

/**
 * The base of every link in a message. In production (with mail on) it must be https: a
 * reset link over plain HTTP hands its token to anyone on the path. Elsewhere https, or
 * http to this machine; by default the web app's development server.
 */
function parsePublicUrl(raw: string | undefined, production: boolean): string {
  const value = nonEmpty(raw);
  if (value === undefined) {
    if (production) throw new ConfigError('PUBLIC_URL', 'is required in production while a flow that sends mail is on');
    return 'http://localhost:5173';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be a URL like https://app.example.com (got "${value}")`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && loopback && !production);
  if (!allowed) {
    throw new ConfigError(
      'PUBLIC_URL',
      production ? 'must be an https:// URL in production' : 'must be https://, or http:// to localhost',
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError('PUBLIC_URL', 'must be a base URL without credentials, query or fragment');
  }
  return url.href.replace(/\/+$/, '');
}

function parseAccountsThrottle(env: Env): AccountsThrottleConfig {
  const windowSeconds = duration('ACCOUNT_MAIL_WINDOW', env.ACCOUNT_MAIL_WINDOW, {
    fallback: 3600,
    min: 60,
    max: 7 * 86400,
  });
  const limit = (name: string, fallback: number): AttemptLimit => ({
    max: integer(name, env[name], { min: 1, max: 1_000_000, fallback }),
    windowSeconds,
  });
  return {
    passwordResetPerEmail: limit('PASSWORD_RESET_MAX_PER_EMAIL', 5),
    passwordResetPerIp: limit('PASSWORD_RESET_MAX_PER_IP', 20),
    verificationResendPerEmail: limit('VERIFICATION_RESEND_MAX_PER_EMAIL', 5),
    verificationResendPerIp: limit('VERIFICATION_RESEND_MAX_PER_IP', 20),
    changeEmailPerUser: limit('CHANGE_EMAIL_MAX_PER_USER', 5),
    changeEmailPerIp: limit('CHANGE_EMAIL_MAX_PER_IP', 20),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
