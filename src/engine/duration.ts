import { InvalidOptionsError, describeCause } from '../errors.js';

/** Units a duration string may use: milliseconds, seconds, minutes, hours, days, weeks. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

/**
 * A length of time: milliseconds as a number (`1500`), or a number followed
 * by one unit (`'500ms'`, `'10s'`, `'10m'`, `'2h'`, `'2d'`, `'1w'`, `'1.5h'`).
 */
export type Duration = number | `${number}${DurationUnit}`;

const UNIT_MS: Readonly<Record<DurationUnit, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

// One unsigned decimal and one unit, nothing else: "1h30m", " 5s", "5 s", "-1s" and "1e3ms" are refused rather than guessed at.
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/**
 * Turns a {@link Duration} into whole milliseconds (fractions round up, so a
 * wait is never shorter than asked).
 * @param subject named in the error, e.g. `workflowContext().sleep()`
 * @param path the option named in the error, e.g. `duration`
 * @throws InvalidOptionsError for anything but a finite number ≥ 0 or a well-formed string
 */
export function toMilliseconds(value: unknown, subject: string, path: string): number {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new InvalidOptionsError(subject, path, `must be a number of milliseconds ≥ 0, got ${describeCause(value)}`);
    ms = value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value);
    if (match === null) {
      throw new InvalidOptionsError(subject, path, `"${value}" is not a duration; use milliseconds as a number or a string like "500ms", "10s", "10m", "2h", "2d", "1w"`);
    }
    ms = Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
  } else {
    throw new InvalidOptionsError(subject, path, `must be a number of milliseconds or a string like "10m", got ${value === null ? 'null' : typeof value}`);
  }
  const whole = Math.ceil(ms);
  if (!Number.isSafeInteger(whole)) throw new InvalidOptionsError(subject, path, `${String(value)} is too long a duration`);
  return whole;
}

/**
 * A {@link Duration} of at least 1 ms, in milliseconds: a timeout.
 * @throws InvalidOptionsError for anything else
 */
export function positiveDurationMs(value: unknown, subject: string, path: string): number {
  // Fractions round up as for any duration (0.5 and '0.5ms' are 1 ms); zero and below are no timeout at all.
  if (typeof value === 'number' && (value <= 0 || Number.isNaN(value))) throw new InvalidOptionsError(subject, path, `must be at least 1 ms, got ${String(value)}`);
  if (value === Infinity) throw new InvalidOptionsError(subject, path, 'must be a finite number of milliseconds, at least 1, got Infinity');
  const ms = toMilliseconds(value, subject, path);
  if (ms < 1) throw new InvalidOptionsError(subject, path, `must be at least 1 ms, got ${String(value)}`);
  return boundedWait(ms, value, subject, path, 'timeout');
}

/**
 * A {@link Duration} a workflow waits (a sleep, a signal wait's timeout; 0 is allowed), in milliseconds.
 * @throws InvalidOptionsError for anything but a well-formed duration of at most {@link MAX_WAIT_MS}
 */
export function waitDurationMs(value: unknown, subject: string, path: string): number {
  return boundedWait(toMilliseconds(value, subject, path), value, subject, path, 'wait');
}

/** The longest wait or timeout: its end stays a safe integer and a valid Date for any time of the clock until then. */
export const MAX_WAIT_MS = 3_155_760_000_000_000;

function boundedWait(ms: number, value: unknown, subject: string, path: string, what: string): number {
  // Added to the clock's time, it must stay an exact integer (and a valid Date).
  if (ms > MAX_WAIT_MS) throw new InvalidOptionsError(subject, path, `${String(value)} is too long a ${what} (at most ${MAX_WAIT_MS} ms, about 100,000 years)`);
  return ms;
}
