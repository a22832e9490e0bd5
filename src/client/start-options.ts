import type { Duration } from '../engine/duration.js';

/** Options of `engine.startWorkflow`. */
export interface StartOptions {
  /**
   * Workflow id: starting an id that exists returns the existing workflow's
   * handle (if it runs the same workflow). 1 to 255 characters.
   * @default a generated UUID v7
   */
  id?: string | undefined;
  /** Queue to run on. @default the workflow's `queue` option, else 'default' */
  queue?: string | undefined;
  /** Higher runs first among waiting workflows of a queue. @default 0 */
  priority?: number | undefined;
  /**
   * Longest the workflow may take, from this start: once it passes, the workflow (with its children) is
   * cancelled as by `cancel()`, and `result()` throws a `WorkflowFailure` whose cause is a
   * `WorkflowCancelledFailure` with `timedOut: true`. At least 1 ms.
   * @default no deadline
   */
  timeout?: Duration | undefined;
}
