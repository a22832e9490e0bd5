import { ResultTimeoutError } from '../errors.js';
import type { ResultWait } from '../client/result-options.js';
import type { WorkflowRow } from '../store/rows.js';

/** What the watch of a workflow found: it ended, with its encoded output when its completion came in memory, else its row as read. */
export type Ended = { readonly output: string } | { readonly row: WorkflowRow };

/** Watches a workflow until it ends, or until `stop` aborts (nobody waits any more: then `undefined`). */
export type WatchOutcome = (workflowId: string, stop: AbortSignal) => Promise<Ended | undefined>;

interface Watch {
  readonly ended: Promise<Ended | undefined>;
  readonly stop: AbortController;
  waiters: number;
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
    watch.waiters++;
    return new Promise<Ended>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (leaving: boolean): boolean => {
        if (settled) return false;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        watch.waiters--;
        if (leaving && watch.waiters === 0) this.stop(workflowId, watch);
        return true;
      };
      const onAbort = (): void => {
        if (settle(true)) reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          if (settle(true)) reject(new ResultTimeoutError(workflowId, timeoutMs));
        }, timeoutMs);
      }
      watch.ended.then(
        // A watch stops only once its last waiter left, so a waiter always gets what it found.
        (ended) => settle(false) && (ended === undefined ? reject(new Error(`the watch of workflow "${workflowId}" stopped while a result() waited`)) : resolve(ended)),
        (error: unknown) => settle(false) && reject(error as Error),
      );
    });
  }

  private watchOf(workflowId: string): Watch {
    const existing = this.watches.get(workflowId);
    if (existing) return existing;
    const stop = new AbortController();
    const ended = this.watchOutcome(workflowId, stop.signal);
    const watch: Watch = { ended, stop, waiters: 0 };
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
