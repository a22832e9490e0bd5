import { InvalidOptionsError } from '../errors.js';
import type { Clock } from './clock.js';
import { toMilliseconds, type Duration } from './duration.js';

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
    const at = typeof start === 'number' ? start : start.getTime();
    if (!Number.isSafeInteger(at)) throw new InvalidOptionsError('new TestClock()', 'start', `must be epoch milliseconds or a valid Date, got ${String(start)}`);
    this.current = at;
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
   * @throws InvalidOptionsError when `ms` is negative or not a duration
   */
  advance(ms: Duration): number {
    return this.advanceTo(this.current + parse(ms, 'advance()'));
  }

  /**
   * Moves time forward to `time`; a time in the past leaves the clock where it is.
   * @returns the new time
   */
  advanceTo(time: number | Date): number {
    const at = typeof time === 'number' ? time : time.getTime();
    if (!Number.isSafeInteger(at)) throw new InvalidOptionsError('TestClock', 'advanceTo()', `must be epoch milliseconds or a valid Date, got ${String(time)}`);
    if (at <= this.current) return this.current;
    this.current = at;
    const due = [...this.sleepers].filter((sleeper) => sleeper.due <= at).sort((a, b) => a.due - b.due);
    for (const sleeper of due) sleeper.done();
    for (const listener of [...this.listeners]) listener();
    return this.current;
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** In-memory waits not yet released (sleeps, backoffs, short signal timeouts). */
  get pendingSleeps(): number {
    return this.sleepers.size;
  }
}

function parse(value: number | string, path: string): number {
  return toMilliseconds(value, 'TestClock', path);
}
