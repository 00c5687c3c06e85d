import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';
import { CENSOR, scrubString, scrubValue } from './observability/log-redaction';

export type { Logger };

// Where credentials sit in the objects Fastify, Apollo and we log; log-redaction.ts catches the rest.
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'variables.password',
  'variables.currentPassword',
  'variables.newPassword',
  'variables.refreshToken',
  'variables.input.password',
  '*.variables.password',
  '*.variables.currentPassword',
  '*.variables.newPassword',
  '*.variables.refreshToken',
  '*.variables.input.password',
  'password',
  'accessToken',
  'refreshToken',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
];

/**
 * JSON logs. Redaction is a second line of defence: code never logs passwords or
 * tokens on purpose, and this catches the places they could slip in. Lines about a
 * request are written through Fastify's request.log (the context's `log`), which
 * carries its `reqId`.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    formatters: { log: (object) => scrubValue(object) as Record<string, unknown> },
    serializers: { err: (error: Error) => scrubValue(scrubError(pino.stdSerializers.err(error))) },
    hooks: {
      // Messages too: `logger.info(\`… ${header}\`)` must not write the header.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? scrubString(arg) : arg)) as Parameters<typeof method>,
        );
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The serialized error (message, stack, own properties, causes) with every string scrubbed. */
function scrubError(serialized: pino.SerializedError): pino.SerializedError {
  const copy: pino.SerializedError = { ...serialized };
  for (const [key, value] of Object.entries(copy)) {
    if (typeof value === 'string') copy[key] = scrubString(value);
  }
  return copy;
}
