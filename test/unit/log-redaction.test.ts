import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { scrubString, scrubValue } from '../../src/observability/log-redaction';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwic2lkIjoiYSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const REFRESH = 'q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C';
const PASSWORD = 'correct horse battery staple';

/** A logger as the app builds it, at trace, writing into a string. */
function bufferedLogger() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ logLevel: 'trace' }, stream);
  return { logger, text: () => text };
}

describe('log redaction', () => {
  it('removes a one-time token from a link, in its fragment or its query', () => {
    for (const link of [
      'https://app.example/reset-password#token=AbC_d-1',
      'http://x/verify-email?token=AbC_d-1&a=b',
    ]) {
      expect(scrubString(`sent ${link}`)).not.toContain('AbC_d-1');
    }
  });

  it('removes a PEM private key, whole or cut off, from any string', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    }) as string;
    const body = pem.split('\n')[1]!;
    for (const text of [`JWT_KEYS_DIR: /srv/${pem} does not exist`, `problem: ${pem.slice(0, 80)}`]) {
      const scrubbed = scrubString(text);
      expect(scrubbed).not.toContain(body.slice(0, 20));
      expect(scrubbed).toContain('[redacted]');
    }
  });

  it('removes credentials from strings however they are quoted', () => {
    const cases = [
      `Authorization: Bearer ${JWT}`,
      `authorization=bearer ${REFRESH}`,
      `a token ${JWT} in a sentence`,
      `Cookie: __Host-tollgate-refresh=${REFRESH}; theme=dark`,
      `set-cookie: __Host-tollgate-refresh=${REFRESH}; Path=/; HttpOnly`,
      `mutation { login(email: "a@example.com", password: "${PASSWORD}") { accessToken } }`,
      `mutation { refresh(refreshToken: "${REFRESH}") { accessToken } }`,
      `{"query":"…","variables":{"password":"${PASSWORD}","refreshToken":"${REFRESH}"}}`,
      JSON.stringify(JSON.stringify({ currentPassword: PASSWORD, newPassword: PASSWORD })),
    ];
    for (const input of cases) {
      const output = scrubString(input);
      expect(output).not.toContain(JWT);
      expect(output).not.toContain(REFRESH);
      expect(output).not.toContain(PASSWORD);
      expect(output).toContain('[redacted]');
    }
  });

  it('censors secret keys at any depth and keeps everything else', () => {
    const scrubbed = scrubValue({
      method: 'POST',
      request: { headers: { Authorization: `Bearer ${JWT}`, 'set-cookie': ['x'], host: 'api' } },
      body: { variables: { input: { email: 'a@example.com', password: PASSWORD } } },
      result: { data: { login: { accessToken: JWT, refresh_token: REFRESH, expiresIn: 900 } } },
      list: [{ token: REFRESH }],
    });
    expect(JSON.stringify(scrubbed)).not.toMatch(new RegExp(`${JWT}|${REFRESH}|${PASSWORD}`));
    expect(scrubbed).toMatchObject({
      method: 'POST',
      request: { headers: { host: 'api' } },
      body: { variables: { input: { email: 'a@example.com' } } },
      result: { data: { login: { expiresIn: 900 } } },
    });
  });

  it('keeps credentials out of every part of a log line: fields, messages, errors', () => {
    const { logger, text } = bufferedLogger();
    logger.info({ req: { headers: { authorization: `Bearer ${JWT}`, cookie: `__Host-tollgate-refresh=${REFRESH}` } } });
    logger.info({ variables: { password: PASSWORD, refreshToken: REFRESH } }, 'operation');
    logger.info(`sending Bearer ${JWT}`);
    logger.debug({ deep: { a: { b: { c: { password: PASSWORD } } } } }, 'deep');
    const error = Object.assign(new Error(`bad header Bearer ${JWT}`), { config: { headers: { cookie: REFRESH } } });
    logger.error({ err: error }, 'failed');
    logger.warn({ err: new Error('wrapped', { cause: new Error(`password: "${PASSWORD}"`) }) }, 'with a cause');
    const written = text();
    expect(written).not.toContain(JWT);
    expect(written).not.toContain(REFRESH);
    expect(written).not.toContain(PASSWORD);
    expect(written.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(8);
  });
});
