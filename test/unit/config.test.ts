import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const SECRET = 's'.repeat(32);
const REFRESH_SECRET = 'r'.repeat(32);

/** loadConfig(env) fails with a ConfigError whose message starts with the variable's name. */
function expectRefusalNaming(variable: string, env: Record<string, string>): void {
  let error: unknown;
  try {
    loadConfig(env);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variable).toBe(variable);
  expect((error as Error).message.startsWith(`${variable}:`)).toBe(true);
}

describe('loadConfig', () => {
  it('has working defaults for a newcomer: port 4000, SQLite under ./data, 15-minute tokens', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      nodeEnv: 'development',
      host: 'localhost',
      port: 4000,
      dataDir: '/srv/app/data',
      database: { kind: 'sqlite', path: '/srv/app/data/tollgate.db' },
      jwt: { secret: null, issuer: 'tollgate', audience: 'tollgate-api', accessTokenTtlSeconds: 900 },
      corsOrigins: [],
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.jwt)).toBe(true);
  });

  it('reads every documented variable', () => {
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        HOST: '0.0.0.0',
        PORT: '8080',
        DATABASE_URL: 'postgres://app@db:5432/tollgate',
        JWT_SECRET: SECRET,
        REFRESH_TOKEN_SECRET: REFRESH_SECRET,
        JWT_ALGORITHM: 'ES256',
        JWT_KEYS_DIR: 'keys',
        JWT_KEYS_RELOAD_INTERVAL: '1m',
        JWKS_MAX_AGE: '1h',
        JWT_ISSUER: 'https://auth.example.com',
        JWT_AUDIENCE: 'api.example.com',
        ACCESS_TOKEN_TTL: '5m',
        CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
        LOG_LEVEL: 'warn',
        SMTP_URL: 'smtps://mailer:pw@smtp.example.com:465',
        MAIL_FROM: 'Tollgate <no-reply@example.com>',
        PUBLIC_URL: 'https://app.example.com',
      },
      '/srv/app',
    );
    expect(config).toMatchObject({
      nodeEnv: 'production',
      host: '0.0.0.0',
      port: 8080,
      database: { kind: 'postgres', url: 'postgres://app@db:5432/tollgate' },
      jwt: { issuer: 'https://auth.example.com', audience: 'api.example.com', accessTokenTtlSeconds: 300 },
      signingKeys: {
        algorithm: 'ES256',
        source: { kind: 'directory', variable: 'JWT_KEYS_DIR', dir: '/srv/app/keys' },
        reloadIntervalSeconds: 60,
        jwksMaxAgeSeconds: 3600,
      },
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      logLevel: 'warn',
    });
    expect(config.jwt.secret?.toString()).toBe(SECRET);
    expect(config.refreshTokenSecret?.toString()).toBe(REFRESH_SECRET);
  });

  it('takes a file: DATABASE_URL relative to the working directory', () => {
    expect(loadConfig({ DATABASE_URL: 'file:./db/app.sqlite' }, '/srv/app').database).toEqual({
      kind: 'sqlite',
      path: path.resolve('/srv/app/db/app.sqlite'),
    });
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: '15 minutes' }],
    ['ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: '10' }],
    ['ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: '2d' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: '*' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://ok.example.com,*' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'app.example.com' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://app.example.com/path' }],
    ['LOGIN_MAX_FAILURES_PER_EMAIL_IP', { LOGIN_MAX_FAILURES_PER_EMAIL_IP: '0' }],
    ['LOGIN_MAX_FAILURES_PER_IP', { LOGIN_MAX_FAILURES_PER_IP: 'many' }],
    ['LOGIN_FAILURE_WINDOW', { LOGIN_FAILURE_WINDOW: '5s' }],
    ['PASSWORD_CHANGE_MAX_FAILURES', { PASSWORD_CHANGE_MAX_FAILURES: '0' }],
    ['SIGNUP_MAX_PER_IP', { SIGNUP_MAX_PER_IP: '1.5' }],
    ['SIGNUP_WINDOW', { SIGNUP_WINDOW: '8d' }],
    ['REFRESH_REUSE_GRACE', { REFRESH_REUSE_GRACE: '2m' }],
    ['SESSION_IDLE_TIMEOUT', { SESSION_IDLE_TIMEOUT: 'forever' }],
    ['REDIS_URL', { REDIS_URL: 'http://localhost:6379' }],
    ['TRUST_PROXY_HOPS', { TRUST_PROXY_HOPS: '-1' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['JWT_SECRET', { NODE_ENV: 'production' }],
    ['JWT_SECRET', { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) }],
  ])('refuses a bad %s with a message that names it', expectRefusalNaming);

  it('never echoes a rejected secret in its message', () => {
    expect(() => loadConfig({ JWT_SECRET: 'hunter2-short' })).toThrow(/^(?!.*hunter2).*$/s);
  });

  it('counts the secret in bytes, not characters', () => {
    // 11 three-byte characters: 33 bytes.
    expect(loadConfig({ JWT_SECRET: '鍵'.repeat(11) }).jwt.secret).toHaveLength(33);
  });
});

describe('loadConfig: abuse limits', () => {
  it('paces accounts and limits refreshes by default', () => {
    expect(loadConfig({}).throttle).toMatchObject({
      loginPerAccount: { max: 20, windowSeconds: 900, slowdownSeconds: 10 },
      refreshPerIp: { max: 600, windowSeconds: 60 },
    });
  });

  it('reads the account and refresh limits', () => {
    const config = loadConfig({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '50',
      LOGIN_ACCOUNT_SLOWDOWN: '30s',
      LOGIN_FAILURE_WINDOW: '1h',
      REFRESH_MAX_PER_IP: '5000',
      REFRESH_WINDOW: '5m',
    });
    expect(config.throttle.loginPerAccount).toEqual({ max: 50, windowSeconds: 3600, slowdownSeconds: 30 });
    expect(config.throttle.refreshPerIp).toEqual({ max: 5000, windowSeconds: 300 });
  });

  it.each([
    ['LOGIN_MAX_FAILURES_PER_ACCOUNT', { LOGIN_MAX_FAILURES_PER_ACCOUNT: '0' }],
    ['LOGIN_MAX_FAILURES_PER_ACCOUNT', { LOGIN_MAX_FAILURES_PER_ACCOUNT: 'twenty' }],
    ['LOGIN_ACCOUNT_SLOWDOWN', { LOGIN_ACCOUNT_SLOWDOWN: '0' }],
    ['LOGIN_ACCOUNT_SLOWDOWN', { LOGIN_ACCOUNT_SLOWDOWN: '10 seconds' }],
    ['LOGIN_ACCOUNT_SLOWDOWN', { LOGIN_ACCOUNT_SLOWDOWN: '6m' }],
    // A pace as long as the window it paces would be a lockout.
    ['LOGIN_ACCOUNT_SLOWDOWN', { LOGIN_ACCOUNT_SLOWDOWN: '2m', LOGIN_FAILURE_WINDOW: '2m' }],
    ['REFRESH_MAX_PER_IP', { REFRESH_MAX_PER_IP: '0' }],
    ['REFRESH_MAX_PER_IP', { REFRESH_MAX_PER_IP: '-5' }],
    ['REFRESH_WINDOW', { REFRESH_WINDOW: '0' }],
    ['REFRESH_WINDOW', { REFRESH_WINDOW: '2h' }],
  ])('refuses a bad %s with a message that names it', expectRefusalNaming);
});
