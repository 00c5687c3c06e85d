import pino from 'pino';
import { MailQueue } from '../../src/mail/mail-queue';
import type { MailMessage, MailTransport } from '../../src/mail/mailer';

const message: MailMessage = { to: 'ann@example.com', kind: 'password-reset', subject: 's', text: 't', html: 'h' };

describe('the mail queue', () => {
  it('starts composing and delivering only after the current turn, so the request that sent it answers first', async () => {
    const delivered: string[] = [];
    const transport: MailTransport = {
      deliver: async (sent) => void delivered.push(sent.kind),
      close: () => undefined,
    };
    const queue = new MailQueue(transport, pino({ level: 'silent' }));
    queue.send(message);
    queue.send({ ...message, kind: 'verify-email' });
    // Still the caller's turn (and its microtasks): nothing handed to the transport yet.
    await Promise.resolve();
    expect(delivered).toEqual([]);
    await queue.idle();
    expect(delivered).toEqual(['password-reset', 'verify-email']);
    await queue.close();
  });
});
