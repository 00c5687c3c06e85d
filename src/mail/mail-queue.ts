import type { Logger } from '../logger';
import { UndeliverableMailError, type MailMessage, type Mailer, type MailTransport } from './mailer';

export interface MailQueueOptions {
  /** Messages held at most (waiting, being delivered or waiting for a retry); beyond that new ones are dropped. */
  readonly maxQueued: number;
  /**
   * Messages of one kind held at most: a flood of one kind (notices anyone signed in can
   * cause) fills its own share, not the whole queue, so password-reset and verification
   * mail still gets in. Keep it under a quarter of maxQueued: changeEmail alone can send
   * three kinds of message.
   */
  readonly maxQueuedPerKind: number;
  /** Deliveries at once. */
  readonly concurrency: number;
  /** Tries per message before it is dropped. */
  readonly maxAttempts: number;
  /** Wait before the first retry; doubled for each next one. */
  readonly retryDelayMs: number;
  /** How long close() waits for deliveries in flight. */
  readonly closeTimeoutMs: number;
}

export const DEFAULT_MAIL_QUEUE: MailQueueOptions = {
  maxQueued: 1000,
  maxQueuedPerKind: 200,
  concurrency: 4,
  maxAttempts: 5,
  retryDelayMs: 2000,
  closeTimeoutMs: 5000,
};

interface Pending {
  readonly message: MailMessage;
  attempts: number;
}

/**
 * The in-process queue behind `Mailer.send`. Bounded on purpose: a slow or dead SMTP
 * server must cost a fixed amount of memory, not one message per request for as long as
 * it is down; past the bound a message is dropped and logged (the user can ask again).
 * Logs name the kind of message and the failure, never its recipient, link or token.
 */
export class MailQueue implements Mailer {
  private readonly waiting: Pending[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retries = new Set<NodeJS.Timeout>();
  /** Messages held per kind, counted like `size`. */
  private readonly heldByKind = new Map<string, number>();
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly transport: MailTransport,
    private readonly logger: Logger,
    private readonly options: MailQueueOptions = DEFAULT_MAIL_QUEUE,
  ) {}

  /** Messages accepted and not yet delivered or dropped. */
  private pumpScheduled = false;

  get size(): number {
    return this.waiting.length + this.inFlight.size + this.retries.size;
  }

  send(message: MailMessage): void {
    if (this.closed) {
      this.logger.warn({ kind: message.kind }, 'Mail not sent: the server is shutting down');
      return;
    }
    if (this.size >= this.options.maxQueued) {
      this.logger.error({ kind: message.kind, queued: this.size }, 'Mail queue full; message dropped');
      return;
    }
    const held = this.heldByKind.get(message.kind) ?? 0;
    if (held >= this.options.maxQueuedPerKind) {
      this.logger.error(
        { kind: message.kind, queued: held },
        'Mail queue full for this kind of message; message dropped',
      );
      return;
    }
    this.heldByKind.set(message.kind, held + 1);
    this.waiting.push({ message, attempts: 0 });
    this.pumpSoon();
  }

  /**
   * Delivery starts after the current turn of the event loop, once the request that asked for
   * the mail has answered: composing a message (MIME, the outbox's file, SMTP's first bytes)
   * costs time only the requests that send mail would pay, and `requestPasswordReset` for an
   * account must answer in the time it takes for an address that has none.
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retries) clearTimeout(timer);
    const dropped = this.waiting.length + this.retries.size;
    this.retries.clear();
    this.waiting.length = 0;
    this.heldByKind.clear();
    if (dropped > 0) this.logger.warn({ dropped }, 'Mail not yet delivered was dropped at shutdown');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeTimeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    clearTimeout(timer);
    this.transport.close();
    this.settleIdle();
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.options.concurrency && this.waiting.length > 0) {
      const pending = this.waiting.shift()!;
      const delivery: Promise<void> = this.deliver(pending).finally(() => {
        this.inFlight.delete(delivery);
        this.pump();
        this.settleIdle();
      });
      this.inFlight.add(delivery);
    }
  }

  /** A message of `kind` left the queue: delivered or dropped. */
  private release(kind: string): void {
    const held = (this.heldByKind.get(kind) ?? 0) - 1;
    if (held > 0) this.heldByKind.set(kind, held);
    else this.heldByKind.delete(kind);
  }

  private settleIdle(): void {
    if (this.size > 0 && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async deliver(pending: Pending): Promise<void> {
    pending.attempts += 1;
    try {
      await this.transport.deliver(pending.message);
      this.release(pending.message.kind);
      return;
    } catch (error) {
      const failure = describeFailure(error);
      const { kind } = pending.message;
      if (failure.permanent || pending.attempts >= this.options.maxAttempts || this.closed) {
        this.logger.error(
          { kind, attempts: pending.attempts, ...failure.fields },
          'Mail could not be delivered; dropped',
        );
        this.release(kind);
        return;
      }
      const delayMs = this.options.retryDelayMs * 2 ** (pending.attempts - 1);
      this.logger.warn(
        { kind, attempts: pending.attempts, retryInMs: delayMs, ...failure.fields },
        'Mail delivery failed',
      );
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        this.waiting.push(pending);
        this.pump();
      }, delayMs);
      timer.unref();
      this.retries.add(timer);
    }
  }
}

/**
 * What a failure may say in the log: nodemailer's code, the SMTP reply code and the
 * command, not the whole error (its text can quote the server's reply, which may echo
 * an address). A 5xx reply is permanent: retrying would be refused the same way.
 */
function describeFailure(error: unknown): { permanent: boolean; fields: Record<string, unknown> } {
  const { code, responseCode, command } = (error ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
  };
  const fields: Record<string, unknown> = {};
  if (typeof code === 'string') fields.code = code;
  if (typeof responseCode === 'number') fields.responseCode = responseCode;
  if (typeof command === 'string') fields.command = command.split(' ')[0];
  if (Object.keys(fields).length === 0) {
    // Our own message for an undeliverable one; for anything else its class only (an arbitrary message may quote the mail).
    fields.error =
      error instanceof UndeliverableMailError ? error.message : error instanceof Error ? error.name : typeof error;
  }
  const permanent =
    error instanceof UndeliverableMailError || (typeof responseCode === 'number' && responseCode >= 500);
  return { permanent, fields };
}
