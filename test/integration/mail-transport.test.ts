import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { MailQueue } from '../../src/mail/mail-queue';
import { createSmtpTransport } from '../../src/mail/smtp-transport';
import { RequestPasswordResetDocument } from '../generated/graphql';
import { buildApp } from '../helpers/build';
import { capturingLogger } from '../helpers/capturing-logger';
import { SmtpInbox, mailEnv, tokenFromMail } from '../helpers/smtp-inbox';
import { TEST_JWT_SECRET, TEST_REFRESH_TOKEN_SECRET, startTestServer, type TestServer } from '../helpers/test-server';

const RESET_SUBJECT = /^Reset your password$/;

describe('the outbox (development without SMTP_URL)', () => {
  let server: TestServer;
  let lines: Array<Record<string, unknown>>;
  beforeAll(async () => {
    const captured = capturingLogger('info');
    lines = captured.lines;
    server = await startTestServer('sqlite', { logger: captured.logger, env: { PUBLIC_URL: 'http://localhost:5173' } });
  });
  afterAll(() => server.close());

  it('writes each message as an .eml file only its owner can read, and logs the path, never the link', async () => {
    await server.createUser('ann@example.com');
    await server.execute(RequestPasswordResetDocument, { email: 'ann@example.com' });
    await server.app.services.mailer.idle();

    const outbox = path.join(server.config.dataDir, 'outbox');
    expect(statSync(outbox).mode & 0o777).toBe(0o700);
    const files = readdirSync(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-password-reset-[0-9a-f]{8}\.eml$/);
    const file = path.join(outbox, files[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const eml = readFileSync(file, 'utf8');
    expect(eml).toMatch(/^To: ann@example\.com$/m);
    expect(eml).toContain('multipart/alternative');
    // What a mail client opening the file would show.
    const parsed = await simpleParser(eml);
    expect(parsed.subject).toBe('Reset your password');
    const token = tokenFromMail(
      {
        to: [],
        from: parsed.from?.text ?? '',
        subject: parsed.subject ?? '',
        text: parsed.text ?? '',
        html: String(parsed.html),
      },
      'reset-password',
    );
    expect(parsed.text).toContain(`http://localhost:5173/reset-password#token=${token}`);

    const written = lines.find((line) => line.msg === 'Mail written to the outbox');
    expect(written).toMatchObject({ path: file, kind: 'password-reset' });
    const log = JSON.stringify(lines);
    expect(log).not.toContain(token);
    expect(log).not.toContain('#token=');
  });
});

describe('delivery over SMTP', () => {
  let inbox: SmtpInbox;
  let server: TestServer;
  let lines: Array<Record<string, unknown>>;
  beforeEach(async () => {
    inbox = await SmtpInbox.start();
    const captured = capturingLogger('info');
    lines = captured.lines;
    server = await startTestServer('sqlite', { logger: captured.logger, env: mailEnv(inbox) });
    await server.createUser('ann@example.com');
  });
  afterEach(async () => {
    await server.close();
    await inbox.close();
  });
  const requestReset = () => server.execute(RequestPasswordResetDocument, { email: 'ann@example.com' });

  it('retries a message the server refused for now (4xx), and logs the failure without the token', async () => {
    inbox.rejectNext(1, 451);
    expect((await requestReset()).errors).toBeUndefined();
    const mail = await inbox.waitFor('ann@example.com', RESET_SUBJECT);
    const token = tokenFromMail(mail, 'reset-password');
    const failure = lines.find((line) => line.msg === 'Mail delivery failed');
    expect(failure).toMatchObject({ kind: 'password-reset', attempts: 1, responseCode: 451 });
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('drops a message the server refused for good (5xx), logging it without the token or the recipient', async () => {
    inbox.rejectNext(1, 550);
    await requestReset();
    await server.app.services.mailer.idle();
    expect(inbox.received).toHaveLength(0);
    const dropped = lines.find((line) => line.msg === 'Mail could not be delivered; dropped');
    expect(dropped).toMatchObject({ kind: 'password-reset', attempts: 1, responseCode: 550 });
    const log = JSON.stringify(lines);
    expect(log).not.toContain('#token=');
    expect(log).not.toContain('ann@example.com');
  });

  it('answers requests while the mail server hangs: sending is off the request path', async () => {
    inbox.holdNext(3);
    for (let i = 0; i < 3; i++) expect((await requestReset()).data).toEqual({ requestPasswordReset: true });
    // Every message is still held by the server; the answers did not wait for any of them.
    expect(inbox.received).toHaveLength(0);
    inbox.release();
    await inbox.waitFor('ann@example.com', RESET_SUBJECT, 3);
  });
});

describe('the mail queue', () => {
  it('holds a bounded number of messages while the server hangs, and drops (and logs) the rest', async () => {
    const inbox = await SmtpInbox.start();
    const { logger, lines } = capturingLogger('warn');
    const queue = new MailQueue(createSmtpTransport(inbox.url, 'Tollgate <no-reply@tollgate.test>'), logger, {
      maxQueued: 3,
      maxQueuedPerKind: 3,
      concurrency: 1,
      maxAttempts: 1,
      retryDelayMs: 10,
      closeTimeoutMs: 1000,
    });
    try {
      inbox.holdNext(100);
      const message = (i: number) => ({
        to: `user${i}@example.com`,
        kind: 'test',
        subject: `Message ${i}`,
        text: 'text',
        html: '<p>html</p>',
      });
      for (let i = 0; i < 10; i++) queue.send(message(i));
      expect(queue.size).toBe(3);
      expect(lines.filter((line) => line.msg === 'Mail queue full; message dropped')).toHaveLength(7);
      inbox.release();
      await queue.idle();
      expect(inbox.received.map((mail) => mail.subject).sort()).toEqual(['Message 0', 'Message 1', 'Message 2']);
    } finally {
      await queue.close();
      await inbox.close();
    }
  });

  it('lets no flood of one kind of message crowd out another: change-email notices leave room for a reset', async () => {
    const inbox = await SmtpInbox.start();
    const { logger, lines } = capturingLogger('warn');
    const queue = new MailQueue(createSmtpTransport(inbox.url, 'Tollgate <no-reply@tollgate.test>'), logger, {
      maxQueued: 10,
      maxQueuedPerKind: 3,
      concurrency: 1,
      maxAttempts: 1,
      retryDelayMs: 10,
      closeTimeoutMs: 1000,
    });
    const message = (kind: string, i: number) => ({
      to: `user${i}@example.com`,
      kind,
      subject: `${kind} ${i}`,
      text: 'text',
      html: '<p>html</p>',
    });
    try {
      // The mail server hangs, as an attacker flooding changeEmail would wish.
      inbox.holdNext(100);
      for (let i = 0; i < 50; i++) {
        queue.send(message('confirm-email-change', i));
        queue.send(message('email-change-requested', i));
      }
      expect(queue.size).toBe(6);
      expect(
        lines.filter((line) => line.msg === 'Mail queue full for this kind of message; message dropped'),
      ).toHaveLength(94);
      queue.send(message('password-reset', 0));
      expect(queue.size).toBe(7);
      inbox.release();
      await inbox.waitFor('user0@example.com', /^password-reset 0$/);
    } finally {
      await queue.close();
      await inbox.close();
    }
  });

  it('after close, accepts nothing more', async () => {
    const inbox = await SmtpInbox.start();
    const { logger, lines } = capturingLogger('warn');
    const queue = new MailQueue(createSmtpTransport(inbox.url, 'Tollgate <no-reply@tollgate.test>'), logger);
    await queue.close();
    queue.send({ to: 'a@example.com', kind: 'test', subject: 's', text: 't', html: 'h' });
    expect(queue.size).toBe(0);
    expect(lines.map((line) => line.msg)).toContain('Mail not sent: the server is shutting down');
    await inbox.close();
  });
});

describe('production without SMTP_URL', () => {
  it('refuses to start (exit 78) while a flow that sends mail is on, naming SMTP_URL', async () => {
    const app = buildApp();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-mail-'));
    try {
      const child = fork(app.entry, [], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: {
          PATH: process.env.PATH ?? '',
          NODE_PATH: app.nodeModules,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: '0',
          DATA_DIR: dataDir,
          JWT_SECRET: TEST_JWT_SECRET,
          REFRESH_TOKEN_SECRET: TEST_REFRESH_TOKEN_SECRET,
          PUBLIC_URL: 'https://app.example.com',
          MAIL_FROM: 'Tollgate <no-reply@example.com>',
        },
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(78);
      expect(stderr).toContain('SMTP_URL: is required in production');
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('production with the mail flows off', () => {
  it('writes nothing to disk: a message is refused and logged, not put in an outbox', async () => {
    const { logger, lines } = capturingLogger('warn');
    const server = await startTestServer('sqlite', {
      logger,
      env: { NODE_ENV: 'production', EMAIL_VERIFICATION: 'false', PASSWORD_RESET: 'false' },
    });
    try {
      server.app.services.mailer.send({ to: 'a@example.com', kind: 'test', subject: 's', text: 't', html: 'h' });
      await server.app.services.mailer.idle();
      expect(readdirSync(server.config.dataDir)).not.toContain('outbox');
      expect(lines.find((line) => line.msg === 'Mail could not be delivered; dropped')).toMatchObject({
        kind: 'test',
        attempts: 1,
        error: 'No mail transport: SMTP_URL is not set',
      });
    } finally {
      await server.close();
    }
  });
});
