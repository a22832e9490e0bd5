import { Cron } from 'croner';
import { InvalidOptionsError, describeCause } from '../../errors.js';

/** When a scheduled workflow starts: a cron pattern, read in a time zone. */
export interface ScheduleOptions {
  /**
   * A cron pattern of 5 fields (minute, hour, day of month, month, day of week) or 6 (seconds first),
   * e.g. `'0 6 * * MON-FRI'`, `'*\/30 * * * * *'`, or a nickname such as `'@hourly'`.
   */
  cron: string;
  /** IANA time zone the pattern is read in, e.g. `'Europe/Paris'`. @default `'UTC'` */
  timezone?: string | undefined;
}

/** A validated schedule: the next tick after a time. */
export interface WorkflowSchedule {
  readonly cron: string;
  readonly timezone: string;
  /** The first tick strictly after `after` (epoch ms), or undefined when the pattern has none left. */
  next(after: number): number | undefined;
  /** Up to `count` ticks at or before `atOrBefore`, latest first. */
  latest(count: number, atOrBefore: number): number[];
}

/**
 * Reads a workflow's `schedule` option.
 * @throws InvalidOptionsError for a malformed pattern or an unknown time zone
 */
export function parseSchedule(value: unknown, subject: string): WorkflowSchedule {
  if (typeof value !== 'string' && (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date)) {
    const got = Array.isArray(value) ? 'an array' : value instanceof Date ? 'a Date (a schedule repeats: use a cron pattern)' : describeCause(value);
    throw new InvalidOptionsError(subject, 'schedule', `must be a cron pattern or { cron, timezone }, got ${got}`);
  }
  const options: Partial<ScheduleOptions> = typeof value === 'string' ? { cron: value } : (value);
  for (const key of Object.keys(options)) {
    if (key !== 'cron' && key !== 'timezone') throw new InvalidOptionsError(subject, `schedule.${key}`, 'unknown option; allowed: cron, timezone');
  }
  const { cron, timezone = 'UTC' } = options;
  const path = typeof value === 'string' ? 'schedule' : 'schedule.cron';
  // Croner reads a string with a colon as one date to run at; a schedule is a repeating pattern.
  if (typeof cron !== 'string') throw new InvalidOptionsError(subject, path, `must be a cron pattern of 5 or 6 fields, got ${describeCause(cron)}`);
  if (cron.includes(':')) throw new InvalidOptionsError(subject, path, `"${cron}" looks like a date; a schedule repeats: use a cron pattern of 5 or 6 fields`);
  if (typeof timezone !== 'string' || timezone.length === 0) throw new InvalidOptionsError(subject, 'schedule.timezone', `must be an IANA time zone name, got ${describeCause(timezone)}`);
  let pattern: Cron;
  try {
    pattern = new Cron(cron, { paused: true, timezone, mode: '5-or-6-parts' });
  } catch (error) {
    // croner's own message speaks of its seven-field form, which Tempolite does not take.
    const detail = error instanceof Error ? error.message.replace(/exactly five, six, or seven space separated parts are required/i, 'it must have 5 or 6 space-separated fields') : describeCause(error);
    throw new InvalidOptionsError(subject, path, `"${cron}" is not a valid cron pattern (5 or 6 fields): ${detail}`);
  }
  try {
    pattern.nextRun();
  } catch {
    throw new InvalidOptionsError(subject, 'schedule.timezone', `"${timezone}" is not an IANA time zone name (e.g. "Europe/Paris")`);
  }
  return Object.freeze({
    cron,
    timezone,
    next: (after: number) => pattern.nextRun(new Date(after))?.getTime(),
    // previousRuns counts back from strictly before its date.
    latest: (count: number, atOrBefore: number) => pattern.previousRuns(count, new Date(atOrBefore + 1)).map((date) => date.getTime()),
  });
}
