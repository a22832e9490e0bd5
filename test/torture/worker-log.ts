import { appendFileSync } from 'node:fs';
import type { Logger } from '../../src/index.js';

/** One line of the worker's log file. */
export interface WorkerLogLine {
  readonly inc: number;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly error?: string;
}

/** A Logger that appends warnings and errors to `file` as JSON lines, for the driver to report. */
export function fileLogger(file: string, inc: number): Logger {
  const write = (level: WorkerLogLine['level'], fields: object, message?: string): void => {
    const err = (fields as { err?: unknown }).err;
    const line: WorkerLogLine = {
      inc,
      level,
      message: message ?? '',
      ...(err !== undefined ? { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } : {}),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (fields, message) => write('warn', fields, message),
    error: (fields, message) => write('error', fields, message),
  };
}
