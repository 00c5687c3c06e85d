/** One message, already rendered: plain text and HTML alternatives of the same content. */
export interface MailMessage {
  readonly to: string;
  /** Which template made it (`verify-email`, `password-reset`…): what logs name instead of the content. */
  readonly kind: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Sends mail off the request path: `send` only accepts the message (queued, bounded) and
 * returns at once, so no answer waits on, or tells anything through the timing of, a mail
 * server. Delivery failures are retried and logged, never thrown to the caller.
 */
export interface Mailer {
  send(message: MailMessage): void;
  /** Resolves once every message accepted so far is delivered or dropped (tests; a drain before shutdown). */
  idle(): Promise<void>;
  /** Stops accepting, waits briefly for deliveries in flight, and closes the transport. */
  close(): Promise<void>;
}

/** Where a message actually goes: an SMTP server, or the development outbox. */
export interface MailTransport {
  /** Resolves once the message was handed over; rejects with the transport's error otherwise. */
  deliver(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * The recipient as an address object, never a string nodemailer would parse: an address
 * the account rules accept (`x<y@example.com>`) must not be read as a display name and
 * a different address.
 */
export function recipient(message: MailMessage): { name: string; address: string } {
  return { name: '', address: message.to };
}

/** A message no retry can deliver (no transport configured): dropped at once, and logged. */
export class UndeliverableMailError extends Error {
  override readonly name = 'UndeliverableMailError';
}
