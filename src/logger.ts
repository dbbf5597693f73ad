import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** JSON lines to standard output (the server), or to `fd` 2 for command-line tools whose output is a report. */
export function createLogger(config: Pick<Config, 'logLevel'>, fd: 1 | 2 = 1): Logger {
  const options = {
    level: config.logLevel,
    base: undefined,
    redact: { paths: ['req.headers.authorization', '*.phone', '*.token'], censor: '[redacted]' },
  };
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}
