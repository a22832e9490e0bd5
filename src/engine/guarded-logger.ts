import { describeCause } from '../errors.js';
import { consoleLogger, silentLogger, type Logger } from './logger.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The engine's view of the application's logger. A logging call that throws, or returns a promise that
 * rejects (a transport that is down), loses that line and nothing else: it must not fail the step, the
 * commit or the process it was reporting on. The first such failure is said once, as a process warning,
 * since the logger itself cannot say it.
 */
export function guardLogger(logger: Logger): Logger {
  if (logger === silentLogger || logger === consoleLogger) return logger;
  let warned = false;
  const dropped = (error: unknown): void => {
    if (warned) return;
    warned = true;
    process.emitWarning(`Tempolite's logger failed (${describeCause(error)}); its lines are dropped where it fails, the engine goes on`, {
      code: 'TEMPOLITE_LOGGER_FAILED',
    });
  };
  const guarded = Object.fromEntries(
    LEVELS.map((level) => [
      level,
      (fields: object, message?: string): void => {
        try {
          const returned: unknown = logger[level](fields, message);
          if (returned instanceof Promise) returned.catch(dropped);
        } catch (error) {
          dropped(error);
        }
      },
    ]),
  ) as unknown as Logger & { isLevelEnabled?: (level: string) => boolean };
  const check = (logger as { isLevelEnabled?: unknown }).isLevelEnabled;
  if (typeof check === 'function') {
    guarded.isLevelEnabled = (level: string): boolean => {
      try {
        return Boolean(check.call(logger, level));
      } catch (error) {
        dropped(error);
        return false;
      }
    };
  }
  return guarded;
}
