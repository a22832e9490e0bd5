/** The logging calls Tempolite makes; a pino logger fits as it is. */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** Default logger: warnings and errors to the console, the rest dropped. */
export const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields, message) => console.warn(`[tempolite] ${message ?? ''}`, fields),
  error: (fields, message) => console.error(`[tempolite] ${message ?? ''}`, fields),
};

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
