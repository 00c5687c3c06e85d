import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/**
 * JSON logs. Redaction is a second line of defence: code never logs passwords or
 * tokens on purpose, and these paths catch the places they could slip in.
 */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        'variables.password',
        'variables.currentPassword',
        'variables.newPassword',
        'variables.refreshToken',
        'variables.input.password',
        '*.password',
        '*.accessToken',
        '*.refreshToken',
      ],
      censor: '[redacted]',
    },
  });
}
