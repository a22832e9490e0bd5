import { InvalidStateError, WorkflowNotFoundError } from '../../errors.js';
import { backoffMs } from '../backoff.js';
import { cancelWorkflow } from './cancel.js';
import type { ControlContext } from './control-context.js';

/** Deadlines read per pass; more are handled by the next one. */
const DEADLINES_PER_PASS = 100;

/** Cancels workflows past their deadline; see `startDeadlineWatch`. */
export interface DeadlineWatch {
  /** Stops reading; resolves once a pass in flight has ended (before the store closes). */
  stop(): Promise<void>;
}

/**
 * Cancels every unfinished workflow whose deadline (a start's `timeout`) has
 * passed, wherever it runs: every `pollIntervalMs`, and at once when a test
 * clock jumps. Engines sharing a database may both see one; a cancel twice
 * changes nothing. A workflow asked once stays out of later passes while its
 * cancel takes effect (a body that ends at its next boundary), for a lease's
 * length: then it is asked again, which ends it at once if its worker died.
 */
export function startDeadlineWatch(context: ControlContext, intervalMs: number): DeadlineWatch {
  const { deps } = context;
  /** When each workflow still due was last asked (engine clock). */
  const asked = new Map<string, number>();
  const pass = async (): Promise<void> => {
    const now = deps.clock.now();
    const due = await deps.store.control.dueDeadlines(now, DEADLINES_PER_PASS);
    const dueIds = new Set(due.map((d) => d.workflowId));
    // Ended, or no longer due: forget it, so the map holds only cancels still in progress.
    for (const id of asked.keys()) if (!dueIds.has(id)) asked.delete(id);
    for (const { workflowId, deadlineAt } of due) {
      const askedAt = asked.get(workflowId);
      if (stopped || (askedAt !== undefined && now - askedAt < deps.options.leaseMs)) continue;
      asked.set(workflowId, now);
      await cancelWorkflow(context, workflowId, deadlineAt).catch((error: unknown) => {
        // Finished or pruned meanwhile, by this engine or another: nothing left to time out.
        if (error instanceof InvalidStateError || error instanceof WorkflowNotFoundError) return;
        asked.delete(workflowId);
        throw error;
      });
    }
  };
  let inFlight: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  // After a failed pass the next ones wait, doubling, so an outage is not logged at every interval (wall time:
  // it paces the database, not workflows).
  let failures = 0;
  let pausedUntil = 0;
  const run = (): void => {
    if (stopped || Date.now() < pausedUntil) return;
    // A pass slower than the interval is not stacked on; a clock jump during one gets a pass after it.
    if (inFlight !== undefined) {
      again = true;
      return;
    }
    inFlight = pass()
      .then(
        () => {
          failures = 0;
        },
        (error: unknown) => {
          failures++;
          const retryInMs = backoffMs(failures, intervalMs);
          pausedUntil = Date.now() + retryInMs;
          deps.logger.error({ err: error, retryInMs }, 'cancelling workflows past their deadline failed');
        },
      )
      .finally(() => {
        inFlight = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  const unfollow = deps.clock.onAdvance?.(run);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      unfollow?.();
      await inFlight;
    },
  };
}
