import { ResultTimeoutError } from '../errors.js';
import type { ResultWait } from '../client/result-options.js';
import type { WorkflowRow } from '../store/rows.js';
import { wallTimer } from './clock.js';

/** What the watch of a workflow found: it ended, with its encoded output when its completion came in memory, else its row as read. */
export type Ended = { readonly output: string } | { readonly row: WorkflowRow };

/** Watches a workflow until it ends, or until `stop` aborts (nobody waits any more: then `undefined`). */
export type WatchOutcome = (workflowId: string, stop: AbortSignal) => Promise<Ended | undefined>;

interface Watch {
  readonly ended: Promise<Ended | undefined>;
  readonly stop: AbortController;
  /** How to fail each wait on it: called by `failAll`. */
  readonly waiters: Set<(error: Error) => void>;
}

/**
 * The `result()` calls of one engine, by workflow: calls on one workflow share one watch (one read per poll,
 * however many wait), and a watch stops once its last caller gave up (a timeout, an abort), so abandoned waits
 * cost nothing.
 */
export class ResultWaits {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly watchOutcome: WatchOutcome) {}

  /**
   * Resolves once the workflow ended.
   * @throws ResultTimeoutError past `wait.timeoutMs`; the signal's reason when `wait.signal` aborts; what the watch throws
   */
  wait(workflowId: string, wait: ResultWait): Promise<Ended> {
    const { signal, timeoutMs } = wait;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const watch = this.watchOf(workflowId);
    return new Promise<Ended>((resolve, reject) => {
      let cancelTimer: (() => void) | undefined;
      // Leaves the watch, stopping it when this was its last wait; false when this wait had already settled.
      const leave = (): boolean => {
        if (!watch.waiters.delete(fail)) return false;
        cancelTimer?.();
        signal?.removeEventListener('abort', onAbort);
        if (watch.waiters.size === 0) this.stop(workflowId, watch);
        return true;
      };
      const fail = (error: Error): void => {
        if (leave()) reject(error);
      };
      const onAbort = (): void => fail(signal?.reason as Error);
      watch.waiters.add(fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      // Longer than Node's longest timer (about 24.8 days) too: several timers in a row.
      if (timeoutMs !== undefined) cancelTimer = wallTimer(timeoutMs, () => fail(new ResultTimeoutError(workflowId, timeoutMs)));
      watch.ended.then(
        // A watch stops only once its last waiter left, so a waiter always gets what it found.
        (ended) => (ended === undefined ? fail(new Error(`the watch of workflow "${workflowId}" stopped while a result() waited`)) : leave() && resolve(ended)),
        (error: unknown) => fail(error as Error),
      );
    });
  }

  /** Fails every wait under way with `error` (the engine closed), at once: their callers hear it before `close()` resolves. */
  failAll(error: () => Error): void {
    for (const watch of [...this.watches.values()]) for (const fail of [...watch.waiters]) fail(error());
  }

  private watchOf(workflowId: string): Watch {
    const existing = this.watches.get(workflowId);
    if (existing) return existing;
    const stop = new AbortController();
    const ended = this.watchOutcome(workflowId, stop.signal);
    const watch: Watch = { ended, stop, waiters: new Set() };
    this.watches.set(workflowId, watch);
    const forget = (): void => {
      if (this.watches.get(workflowId) === watch) this.watches.delete(workflowId);
    };
    ended.then(forget, forget);
    return watch;
  }

  private stop(workflowId: string, watch: Watch): void {
    if (this.watches.get(workflowId) === watch) this.watches.delete(workflowId);
    watch.stop.abort();
  }
}
