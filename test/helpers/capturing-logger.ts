import pino, { type Logger } from 'pino';

/** A real pino logger whose lines a test can read (parsed), from `level` up. */
export function capturingLogger(level: pino.LevelWithSilent = 'warn'): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}
