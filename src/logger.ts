import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** JSON lines to standard output (the server), or to `fd` 2 for command-line tools whose output is a report. */
export function createLogger(config: Pick<Config, 'logLevel'>, fd: 1 | 2 = 1): Logger {
  const options = {
    level: config.logLevel,
    base: undefined,
    // Personal values never reach a log line, should a variable or a row ever be logged by mistake.
    redact: {
      paths: ['req.headers.authorization', '*.phone', '*.token', '*.idNumber', '*.id_number', '*.permitNumber', '*.details', '*.note', 'variables.input'],
      censor: '[redacted]',
    },
  };
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}
