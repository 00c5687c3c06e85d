import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const SECRET = 's'.repeat(32);

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
        JWT_ISSUER: 'https://auth.example.com',
        JWT_AUDIENCE: 'api.example.com',
        ACCESS_TOKEN_TTL: '5m',
        CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
        LOG_LEVEL: 'warn',
      },
      '/srv/app',
    );
    expect(config).toMatchObject({
      nodeEnv: 'production',
      host: '0.0.0.0',
      port: 8080,
      database: { kind: 'postgres', url: 'postgres://app@db:5432/tollgate' },
      jwt: { issuer: 'https://auth.example.com', audience: 'api.example.com', accessTokenTtlSeconds: 300 },
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      logLevel: 'warn',
    });
    expect(config.jwt.secret?.toString()).toBe(SECRET);
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
  ])('refuses a bad %s with a message that names it', (variable, env) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message.startsWith(`${variable}:`)).toBe(true);
  });

  it('never echoes a rejected secret in its message', () => {
    expect(() => loadConfig({ JWT_SECRET: 'hunter2-short' })).toThrow(/^(?!.*hunter2).*$/s);
  });

  it('counts the secret in bytes, not characters', () => {
    // 11 three-byte characters: 33 bytes.
    expect(loadConfig({ JWT_SECRET: '鍵'.repeat(11) }).jwt.secret).toHaveLength(33);
  });
});
