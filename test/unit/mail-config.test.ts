import { ConfigError, loadConfig } from '../../src/config';

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 's'.repeat(32),
  REFRESH_TOKEN_SECRET: 'r'.repeat(32),
};
const MAIL = {
  SMTP_URL: 'smtps://mailer:secret-password@smtp.example.com:465',
  MAIL_FROM: 'Tollgate <no-reply@example.com>',
  PUBLIC_URL: 'https://app.example.com',
};

function refusalOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/srv/app');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('mail and account flows configuration', () => {
  it('outside production: the outbox under DATA_DIR, links to the web app on localhost, both flows on', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.mail).toEqual({
      smtpUrl: null,
      outboxDir: '/srv/app/data/outbox',
      from: 'Tollgate <no-reply@localhost>',
      publicUrl: 'http://localhost:5173',
    });
    expect(config.accounts).toEqual({
      emailVerification: true,
      passwordReset: true,
      requireVerifiedEmail: false,
      throttle: {
        passwordResetPerEmail: { max: 5, windowSeconds: 3600 },
        passwordResetPerIp: { max: 20, windowSeconds: 3600 },
        verificationResendPerEmail: { max: 5, windowSeconds: 3600 },
        verificationResendPerIp: { max: 20, windowSeconds: 3600 },
        changeEmailPerUser: { max: 5, windowSeconds: 3600 },
        changeEmailPerIp: { max: 20, windowSeconds: 3600 },
      },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        ...PRODUCTION,
        ...MAIL,
        PUBLIC_URL: 'https://example.com/app/',
        REQUIRE_VERIFIED_EMAIL: 'TRUE',
        PASSWORD_RESET_MAX_PER_EMAIL: '3',
        PASSWORD_RESET_MAX_PER_IP: '30',
        VERIFICATION_RESEND_MAX_PER_EMAIL: '2',
        VERIFICATION_RESEND_MAX_PER_IP: '40',
        CHANGE_EMAIL_MAX_PER_USER: '4',
        CHANGE_EMAIL_MAX_PER_IP: '50',
        ACCOUNT_MAIL_WINDOW: '2h',
      },
      '/srv/app',
    );
    expect(config.mail).toMatchObject({
      smtpUrl: MAIL.SMTP_URL,
      from: MAIL.MAIL_FROM,
      publicUrl: 'https://example.com/app',
    });
    expect(config.accounts).toEqual({
      emailVerification: true,
      passwordReset: true,
      requireVerifiedEmail: true,
      throttle: {
        passwordResetPerEmail: { max: 3, windowSeconds: 7200 },
        passwordResetPerIp: { max: 30, windowSeconds: 7200 },
        verificationResendPerEmail: { max: 2, windowSeconds: 7200 },
        verificationResendPerIp: { max: 40, windowSeconds: 7200 },
        changeEmailPerUser: { max: 4, windowSeconds: 7200 },
        changeEmailPerIp: { max: 50, windowSeconds: 7200 },
      },
    });
  });

  it('production refuses to start without SMTP_URL while either flow is on', () => {
    const flowsOn: Array<Record<string, string>> = [{}, { EMAIL_VERIFICATION: 'false' }, { PASSWORD_RESET: 'false' }];
    for (const flows of flowsOn) {
      const error = refusalOf({ ...PRODUCTION, ...MAIL, SMTP_URL: '', ...flows });
      expect(error.variable).toBe('SMTP_URL');
      expect(error.message).toMatch(/^SMTP_URL: is required in production/);
    }
  });

  it('production starts without mail when both flows are off', () => {
    const config = loadConfig({ ...PRODUCTION, EMAIL_VERIFICATION: 'false', PASSWORD_RESET: 'false' });
    expect(config.accounts).toMatchObject({ emailVerification: false, passwordReset: false });
    // Production never writes mail to disk: should anything send, it is refused and logged.
    expect(config.mail).toMatchObject({ smtpUrl: null, outboxDir: null });
  });

  it.each([
    ['MAIL_FROM', { ...PRODUCTION, ...MAIL, MAIL_FROM: '' }],
    ['MAIL_FROM', { MAIL_FROM: 'nobody' }],
    ['MAIL_FROM', { MAIL_FROM: 'a@example.com\r\nBcc: victim@example.com' }],
    ['PUBLIC_URL', { ...PRODUCTION, ...MAIL, PUBLIC_URL: '' }],
    ['PUBLIC_URL', { ...PRODUCTION, ...MAIL, PUBLIC_URL: 'http://app.example.com' }],
    ['PUBLIC_URL', { ...PRODUCTION, ...MAIL, PUBLIC_URL: 'http://localhost:5173' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'http://app.example.com' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'app.example.com' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'javascript:alert(1)' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'https://app.example.com/?next=evil' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'https://user:pw@app.example.com' }],
    ['SMTP_URL', { SMTP_URL: 'http://smtp.example.com' }],
    ['SMTP_URL', { SMTP_URL: 'not a url' }],
    ['EMAIL_VERIFICATION', { EMAIL_VERIFICATION: 'off' }],
    ['REQUIRE_VERIFIED_EMAIL', { REQUIRE_VERIFIED_EMAIL: 'yes' }],
    ['REQUIRE_VERIFIED_EMAIL', { REQUIRE_VERIFIED_EMAIL: 'true', EMAIL_VERIFICATION: 'false' }],
    ['PASSWORD_RESET_MAX_PER_EMAIL', { PASSWORD_RESET_MAX_PER_EMAIL: '0' }],
    ['CHANGE_EMAIL_MAX_PER_USER', { CHANGE_EMAIL_MAX_PER_USER: '0' }],
    ['CHANGE_EMAIL_MAX_PER_IP', { CHANGE_EMAIL_MAX_PER_IP: 'many' }],
    ['ACCOUNT_MAIL_WINDOW', { ACCOUNT_MAIL_WINDOW: '10s' }],
  ])('refuses a bad %s', (variable, env) => {
    expect(refusalOf(env as Record<string, string>).variable).toBe(variable);
  });

  it('never quotes SMTP_URL back: it holds the mail password', () => {
    const error = refusalOf({ SMTP_URL: 'ftp://mailer:secret-password@smtp.example.com' });
    expect(error.message).not.toContain('secret-password');
  });

  it('accepts http only to this machine, outside production', () => {
    for (const url of ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://[::1]:3000']) {
      expect(loadConfig({ PUBLIC_URL: url }).mail.publicUrl).toBe(url);
    }
  });
});
