import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  name: string;
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** JSON lines with level labels (not numbers), so log pipelines can filter without a lookup table. */
export function createLogger({ name, level = 'info', destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name,
    level,
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['*.access_token', '*.refresh_token', '*.authorization', '*.api_key'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
