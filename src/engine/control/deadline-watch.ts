import { InvalidStateError, WorkflowNotFoundError } from '../../errors.js';
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
 * cancel takes effect (a body that ends at its next boundary).
 */
export function startDeadlineWatch(context: ControlContext, intervalMs: number): DeadlineWatch {
  const { deps } = context;
  const asked = new Set<string>();
  const pass = async (): Promise<void> => {
    const due = await deps.store.control.dueDeadlines(deps.clock.now(), DEADLINES_PER_PASS);
    const dueIds = new Set(due.map((d) => d.workflowId));
    // Ended, or no longer due: forget it, so the set holds only cancels still in progress.
    for (const id of asked) if (!dueIds.has(id)) asked.delete(id);
    for (const { workflowId, deadlineAt } of due) {
      if (stopped || asked.has(workflowId)) continue;
      asked.add(workflowId);
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
  const run = (): void => {
    if (stopped) return;
    // A pass slower than the interval is not stacked on; a clock jump during one gets a pass after it.
    if (inFlight !== undefined) {
      again = true;
      return;
    }
    inFlight = pass()
      .catch((error: unknown) => deps.logger.error({ err: error }, 'cancelling workflows past their deadline failed'))
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
