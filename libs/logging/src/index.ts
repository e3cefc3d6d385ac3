import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  name: string;
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

const SECRET_KEYS = ['access_token', 'refresh_token', 'authorization', 'api_key'];
const CENSOR = '[redacted]';

/**
 * Censors secrets one level down in a line's fields or a child's bindings (`{account: {access_token}}`,
 * an error's own `authorization`), as pino's `redact: ['*.access_token', …]` did. Pino runs a redaction
 * over every field of every line for paths that start with a wildcard: measured, 13 µs of an access
 * line's 21, a sixteenth of a cached answer's CPU. Here a line without secrets costs one pass over its
 * fields.
 */
function censorSecrets<T extends Record<string, unknown>>(fields: T): T {
  let censored: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const found = SECRET_KEYS.filter((secret) => Object.hasOwn(value, secret));
    if (found.length === 0) continue;
    // A copy with the same prototype and own properties, so an error stays one for pino's serializer.
    const descriptors: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(value);
    for (const secret of found) {
      descriptors[secret] = { value: CENSOR, enumerable: true, writable: true, configurable: true };
    }
    censored ??= { ...fields };
    censored[key] = Object.create(Object.getPrototypeOf(value), descriptors);
  }
  return (censored ?? fields) as T;
}

/** JSON lines with level labels (not numbers), so log pipelines can filter without a lookup table. */
export function createLogger({ name, level = 'info', destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name,
    level,
    formatters: { level: (label) => ({ level: label }), log: censorSecrets },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // Pino applies no formatter to a child's bindings; every child inherits this method from the root.
  const child = logger.child;
  logger.child = function censoredChild(this: Logger, bindings, childOptions) {
    return child.call(this, censorSecrets(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
