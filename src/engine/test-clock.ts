import { InvalidOptionsError, describeCause } from '../errors.js';
import type { Clock } from './clock.js';
import { toMilliseconds, type Duration } from './duration.js';

/** The furthest a `Date` reaches either side of the epoch, in milliseconds. */
const DATE_LIMIT_MS = 8.64e15;

interface Sleeper {
  readonly due: number;
  readonly done: () => void;
}

/**
 * A clock for tests that only moves when told to, like Temporal's
 * time-skipping test environment: a workflow sleeping 30 days completes as
 * soon as the test calls `advance('30d')`. Give it to the engine as its
 * `clock` option; every wait of the engine follows it (durable sleeps,
 * signal timeouts, retry backoffs, due tasks), and advancing pokes the
 * engine's workers so due workflows are claimed at once.
 *
 * ```ts
 * const clock = new TestClock();
 * const engine = new Tempolite({ database, clock });
 * await engine.start();
 * const handle = await engine.startWorkflow(Billing, 'monthly', [customer]);
 * // ... once the workflow sleeps:
 * clock.advance('30d');
 * await handle.result();
 * ```
 *
 * Time jumps at once: waits that end within the jump are released together,
 * and a wait that begins after the jump counts from the new time. Step
 * through several waits by advancing several times.
 */
export class TestClock implements Clock {
  private current: number;
  private readonly sleepers = new Set<Sleeper>();
  private readonly listeners = new Set<() => void>();

  /** @param start the clock's initial time. @default the wall clock's time now */
  constructor(start: number | Date = Date.now()) {
    this.current = epochMs(start, 'new TestClock()', 'start');
  }

  /** The clock's time, in milliseconds since the epoch. */
  now(): number {
    return this.current;
  }

  /** Resolves once the clock has been advanced by `ms` from now, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || !(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        due: this.current + ms,
        done: () => {
          this.sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.done);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', sleeper.done, { once: true });
    });
  }

  /**
   * Moves time forward by `ms` (a number of milliseconds or a string such as
   * `'3d'`), releases the waits that became due and pokes the engines using this clock.
   * @returns the new time
   * @throws InvalidOptionsError when `ms` is negative or not a duration, or the new time is past what a `Date` holds
   */
  advance(ms: Duration): number {
    const at = this.current + toMilliseconds(ms, 'TestClock', 'advance()');
    if (at > DATE_LIMIT_MS) throw new InvalidOptionsError('TestClock', 'advance()', `moves the clock past the last time a Date holds (${new Date(DATE_LIMIT_MS).toISOString()})`);
    return this.moveTo(at);
  }

  /**
   * Moves time forward to `time`; a time in the past leaves the clock where it is.
   * @returns the new time
   * @throws InvalidOptionsError when `time` is neither whole epoch milliseconds nor a valid `Date`, or beyond a `Date`'s range
   */
  advanceTo(time: number | Date): number {
    return this.moveTo(epochMs(time, 'TestClock', 'advanceTo()'));
  }

  /**
   * Calls `listener` after each move of the clock; the engine uses it to look for due work at once.
   * Every listener runs even when one throws; then the first error is thrown from `advance()`/`advanceTo()`.
   * @returns a function that removes the listener
   */
  onAdvance(listener: () => void): () => void {
    if (typeof listener !== 'function') throw new InvalidOptionsError('TestClock', 'onAdvance()', `must be given a function, got ${describeCause(listener)}`);
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private moveTo(at: number): number {
    if (at <= this.current) return this.current;
    this.current = at;
    const due = [...this.sleepers].filter((sleeper) => sleeper.due <= at).sort((a, b) => a.due - b.due);
    for (const sleeper of due) sleeper.done();
    const failures: unknown[] = [];
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
    return this.current;
  }

  /** In-memory waits not yet released (sleeps, backoffs, short signal timeouts, running activities' attempt timeouts). */
  get pendingSleeps(): number {
    return this.sleepers.size;
  }
}

/** Epoch milliseconds of a number or a `Date`, refused unless whole and within a `Date`'s range. */
function epochMs(time: unknown, subject: string, path: string): number {
  const at = typeof time === 'number' ? time : time instanceof Date ? time.getTime() : NaN;
  if (!Number.isSafeInteger(at) || Math.abs(at) > DATE_LIMIT_MS) {
    throw new InvalidOptionsError(subject, path, `must be whole epoch milliseconds or a valid Date within a Date's range, got ${describeCause(time)}`);
  }
  return at;
}
