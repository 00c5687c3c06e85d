import type { Logger } from './logger';

export interface ShutdownOptions {
  /** Stops accepting, lets requests in flight finish, stops background work, closes the stores. */
  readonly close: () => Promise<void>;
  readonly logger: Logger;
  /** After this long the process gives up waiting and exits 1 (SHUTDOWN_TIMEOUT). */
  readonly timeoutMs: number;
  readonly exit?: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * SIGTERM (an orchestrator) and SIGINT (Ctrl-C) close the app gracefully and exit 0, or
 * exit 1 if that fails or takes longer than the timeout. A second signal while closing
 * exits 1 at once: whoever sends it has stopped waiting. Returns what removes the handlers.
 */
export function closeOnSignals(options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const { logger, timeoutMs } = options;
    if (closing) {
      logger.warn({ signal }, 'second signal while shutting down; exiting now');
      return exit(1);
    }
    closing = true;
    logger.info({ signal, timeoutMs }, 'shutting down: no new connections, finishing requests in flight');
    const startedAt = Date.now();
    const giveUp = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time; exiting anyway');
      exit(1);
    }, timeoutMs);
    options.close().then(
      () => {
        clearTimeout(giveUp);
        logger.info({ ms: Date.now() - startedAt }, 'shut down');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(giveUp);
        logger.error({ err: error }, 'error while shutting down');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
