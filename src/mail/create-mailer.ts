import type { MailConfig } from '../config';
import type { Logger } from '../logger';
import { MailQueue, type MailQueueOptions, DEFAULT_MAIL_QUEUE } from './mail-queue';
import { UndeliverableMailError, type Mailer, type MailTransport } from './mailer';
import { createOutboxTransport } from './outbox-transport';
import { createSmtpTransport } from './smtp-transport';

/**
 * SMTP when SMTP_URL is set; otherwise the outbox outside production. Production without
 * SMTP_URL only starts with every flow that sends mail turned off; should anything send
 * all the same, it is refused and logged, never written to disk.
 */
export function createMailer(config: MailConfig, logger: Logger, queue: MailQueueOptions = DEFAULT_MAIL_QUEUE): Mailer {
  const transport = config.smtpUrl
    ? createSmtpTransport(config.smtpUrl, config.from)
    : config.outboxDir
      ? createOutboxTransport(config.outboxDir, config.from, logger)
      : noTransport;
  return new MailQueue(transport, logger, queue);
}

const noTransport: MailTransport = {
  deliver: () => Promise.reject(new UndeliverableMailError('No mail transport: SMTP_URL is not set')),
  close: () => undefined,
};
