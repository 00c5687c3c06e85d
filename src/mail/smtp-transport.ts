import nodemailer from 'nodemailer';
import { recipient, type MailMessage, type MailTransport } from './mailer';

/** Bounds on one delivery: a server that stalls holds one of the queue's few slots for at most this long. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/**
 * Delivers through the SMTP server of SMTP_URL (`smtps://` for implicit TLS; `smtp://`
 * upgrades with STARTTLS when the server offers it). One connection per message: mail
 * here is rare (sign-ups, resets) and a pool would hold sockets open for nothing.
 */
export function createSmtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS }, { from });
  return {
    async deliver(message: MailMessage) {
      await transporter.sendMail({
        to: recipient(message),
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    },
    close: () => transporter.close(),
  };
}
