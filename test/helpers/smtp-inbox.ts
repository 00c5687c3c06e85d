import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as a mail client would show it. */
export interface ReceivedMail {
  readonly to: readonly string[];
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What the inbox answers the next DATA commands with: a 4xx/5xx reply, or holding the client until released. */
type Answer = { kind: 'reject'; responseCode: number } | { kind: 'hold' };

/**
 * A real SMTP server in the test process (smtp-server, from nodemailer's authors): the app
 * sends to it over TCP as it would to any mail server, and the test reads what arrived,
 * parsed by mailparser.
 */
export class SmtpInbox {
  readonly received: ReceivedMail[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly answers: Answer[] = [];
  private readonly held: Array<() => void> = [];
  private released = false;

  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
  ) {}

  static async start(): Promise<SmtpInbox> {
    // Filled in once the server listens; no message can arrive before.
    const self: { inbox?: SmtpInbox } = {};
    const server = new SMTPServer({
      // Plain SMTP on loopback: no certificate to trust, no credentials to give.
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData(stream, _session, callback) {
        const answer = self.inbox!.answers.shift();
        simpleParser(stream).then(
          (parsed) => {
            if (answer?.kind === 'reject') {
              const error = Object.assign(new Error(`Refused by the test (${answer.responseCode})`), {
                responseCode: answer.responseCode,
              });
              return callback(error);
            }
            const accept = () => {
              self.inbox!.accept({
                to: [parsed.to ?? []].flat().flatMap((address) => address.value.map((v) => v.address ?? '')),
                from: parsed.from?.text ?? '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
              });
              callback();
            };
            if (answer?.kind === 'hold' && !self.inbox!.released) self.inbox!.held.push(accept);
            else accept();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    self.inbox = new SmtpInbox(server, `smtp://127.0.0.1:${port}`);
    return self.inbox;
  }

  /** The next `count` messages are refused with this SMTP reply code. */
  rejectNext(count: number, responseCode: number): void {
    for (let i = 0; i < count; i++) this.answers.push({ kind: 'reject', responseCode });
  }

  /** The next `count` messages are held, unanswered, until release(): a mail server that hangs. */
  holdNext(count: number): void {
    this.released = false;
    for (let i = 0; i < count; i++) this.answers.push({ kind: 'hold' });
  }

  /** Answers the held messages, and from now on those the holds of holdNext() would still have caught. */
  release(): void {
    this.released = true;
    for (const accept of this.held.splice(0)) accept();
  }

  /** Messages to this address received so far. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(address));
  }

  /** Waits for the n-th (1-based) message to `address` whose subject matches. */
  async waitFor(address: string, subject?: RegExp, nth = 1, timeoutMs = 15_000): Promise<ReceivedMail> {
    const find = () => this.to(address).filter((mail) => !subject || subject.test(mail.subject))[nth - 1];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No message to ${address}${subject ? ` matching ${subject}` : ''} arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.waiters;
        waiters.add(done);
      });
    }
  }

  async close(): Promise<void> {
    this.release();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(mail: ReceivedMail): void {
    this.received.push(mail);
    for (const wake of [...this.waiters]) wake();
  }
}

/** The token of the link to `page` in a message, read from its plain text; the HTML must carry the same link. */
export function tokenFromMail(mail: ReceivedMail, page: 'verify-email' | 'reset-password'): string {
  const pattern = new RegExp(`/${page}#token=([A-Za-z0-9_-]+)`);
  const inText = pattern.exec(mail.text)?.[1];
  const inHtml = pattern.exec(mail.html)?.[1];
  if (!inText) throw new Error(`No ${page} link in the message "${mail.subject}"`);
  if (inHtml !== inText) throw new Error(`The HTML of "${mail.subject}" does not carry the same ${page} link`);
  return inText;
}

/** The environment that sends the app's mail to this inbox. */
export function mailEnv(inbox: SmtpInbox): Record<string, string> {
  return {
    SMTP_URL: inbox.url,
    MAIL_FROM: 'Tollgate <no-reply@tollgate.test>',
    PUBLIC_URL: 'https://app.tollgate.test',
  };
}
