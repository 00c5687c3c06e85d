import { ConfigError, loadConfig } from '../../src/config';
import { StartPasskeyLoginDocument, StartPasskeyRegistrationDocument } from '../generated/graphql';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server';

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'p'.repeat(40),
  REFRESH_TOKEN_SECRET: 'r'.repeat(40),
  EMAIL_VERIFICATION: 'false',
  PASSWORD_RESET: 'false',
} as const;

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/srv/app');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('passkey configuration (WEBAUTHN_*)', () => {
  it('works with `npm run web` and the API on localhost out of the box, outside production', () => {
    expect(loadConfig({}, '/srv/app').passkeys).toEqual({
      rpId: 'localhost',
      rpName: 'Tollgate',
      origins: ['http://localhost:5173', 'http://localhost:4000'],
    });
  });

  it('reads the relying party of a production deployment', () => {
    const config = loadConfig(
      {
        ...PRODUCTION,
        WEBAUTHN_RP_ID: 'Example.com',
        WEBAUTHN_RP_NAME: 'Example',
        WEBAUTHN_ORIGINS: 'https://example.com, https://app.example.com/',
      },
      '/srv/app',
    );
    expect(config.passkeys).toEqual({
      rpId: 'example.com',
      rpName: 'Example',
      origins: ['https://example.com', 'https://app.example.com'],
    });
  });

  it('is off in production until a relying party is named, and off anywhere with PASSKEYS=false', () => {
    expect(loadConfig(PRODUCTION, '/srv/app').passkeys).toBeNull();
    expect(loadConfig({ PASSKEYS: 'false' }, '/srv/app').passkeys).toBeNull();
  });

  it.each<[string, Record<string, string>, string]>([
    ['PASSKEYS=true in production without an RP ID', { ...PRODUCTION, PASSKEYS: 'true' }, 'WEBAUTHN_RP_ID'],
    ['an RP ID without origins in production', { ...PRODUCTION, WEBAUTHN_RP_ID: 'example.com' }, 'WEBAUTHN_ORIGINS'],
    [
      'an http origin in production',
      { ...PRODUCTION, WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: 'http://localhost:5173' },
      'WEBAUTHN_ORIGINS',
    ],
    [
      'an http origin other than localhost',
      { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'http://example.com' },
      'WEBAUTHN_ORIGINS',
    ],
    [
      'an origin outside the RP ID',
      { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.com.evil.test' },
      'WEBAUTHN_ORIGINS',
    ],
    [
      'a parent domain spelled as a suffix',
      { WEBAUTHN_RP_ID: 'ample.com', WEBAUTHN_ORIGINS: 'https://example.com' },
      'WEBAUTHN_ORIGINS',
    ],
    [
      'an origin with a path',
      { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.com/app' },
      'WEBAUTHN_ORIGINS',
    ],
    ['a wildcard', { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: '*' }, 'WEBAUTHN_ORIGINS'],
    ['an RP ID with a scheme', { WEBAUTHN_RP_ID: 'https://example.com' }, 'WEBAUTHN_RP_ID'],
    ['an RP ID with a port', { WEBAUTHN_RP_ID: 'example.com:443' }, 'WEBAUTHN_RP_ID'],
    ['an IP address as RP ID', { WEBAUTHN_RP_ID: '127.0.0.1' }, 'WEBAUTHN_RP_ID'],
    ['an RP name on two lines', { WEBAUTHN_RP_NAME: 'Tollgate\nEvil' }, 'WEBAUTHN_RP_NAME'],
    ['PASSKEYS neither true nor false', { PASSKEYS: 'yes' }, 'PASSKEYS'],
  ])('refuses to start with %s, naming the variable', (_, env, variable) => {
    expect(configError(env).variable).toBe(variable);
  });
});

describe('passkeys turned off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { PASSKEYS: 'false' } });
  });
  afterAll(() => server.close());

  it('answers FORBIDDEN / FEATURE_DISABLED and creates no challenge', async () => {
    const anonymous = await server.execute(StartPasskeyLoginDocument, {});
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'FEATURE_DISABLED' });
    const user = await server.signIn('off@example.com');
    const signedIn = await server.execute(
      StartPasskeyRegistrationDocument,
      { currentPassword: TEST_PASSWORD },
      { token: user.accessToken },
    );
    expect(signedIn.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'FEATURE_DISABLED' });
    const row = await server.app.services.database.db
      .selectFrom('passkey_challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(row.n)).toBe(0);
  });
});
