import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../logger';
import { recipient, type MailMessage, type MailTransport } from './mailer';

/**
 * Development without a mail server: each message becomes an `.eml` file in the outbox
 * (open it with any mail client), and the log names the file. The file holds the link and
 * its token, so it is readable by its owner only (0600, in a 0700 directory); the log line
 * names the file and the kind of message, never the link.
 */
export function createOutboxTransport(dir: string, from: string, logger: Logger): MailTransport {
  // Nodemailer's own MIME composer, so the file is exactly what SMTP would have carried.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, { from });
  let ready: Promise<void> | null = null;
  const prepare = async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // A directory made earlier (by hand, or under another umask) is narrowed too.
    await chmod(dir, 0o700);
  };
  return {
    async deliver(message: MailMessage) {
      // Tried again on the next message if it failed (a full disk, a permission fixed since).
      ready ??= prepare().catch((error: unknown) => {
        ready = null;
        throw error;
      });
      await ready;
      const composed = await composer.sendMail({
        to: recipient(message),
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(dir, `${stamp}-${message.kind}-${randomBytes(4).toString('hex')}.eml`);
      // `wx`: never overwrite (nor follow a link planted at) an existing name.
      await writeFile(file, composed.message as Buffer, { mode: 0o600, flag: 'wx' });
      logger.info({ kind: message.kind, path: file }, 'Mail written to the outbox');
    },
    close: () => composer.close(),
  };
}
