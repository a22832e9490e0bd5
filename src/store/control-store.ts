import type { WorkflowRow } from './rows.js';

/** A cancel or pause asked of a workflow that a worker was running; it takes effect at its next step boundary. */
export type ControlAction = 'cancel' | 'pause';

/** What a cancel did to one workflow of the cancelled tree. */
export interface CancelEffect {
  readonly workflowId: string;
  /**
   * `cancelled`: it held no worker and had nothing to compensate, so it ended now;
   * `requested`: a worker runs it (or compensations must run): it stops at its next step boundary;
   * `unchanged`: it was already cancelled or is compensating.
   */
  readonly effect: 'cancelled' | 'requested' | 'unchanged';
}

/** What a cancel did: per workflow of the tree, and the queues whose workers have work now (requested cancels, woken parents). */
export interface CancelOutcome {
  readonly effects: readonly CancelEffect[];
  readonly queues: readonly string[];
}

/** A cancel of a workflow and its unfinished descendants. */
export interface CancelRequest {
  readonly workflowId: string;
  /** This engine: a task it holds is running here, whatever its lease says. */
  readonly owner: string;
  /** Encodes the WorkflowCancelledFailure kept as the error of each cancelled workflow. */
  readonly encodeCancelled: (workflow: WorkflowRow) => string;
  readonly now: number;
}

/** What a pause did. */
export type PauseEffect = 'paused' | 'requested' | 'unchanged';

/** What a resume did. */
export type ResumeEffect = { readonly effect: 'resumed'; readonly queue: string } | { readonly effect: 'withdrawn' } | { readonly effect: 'unchanged' };

/** What `watchedTasks` reads of one task. */
export interface WatchedTask {
  readonly control: ControlAction | undefined;
  readonly wakeups: number;
}

/** Cancel, pause and resume (DESIGN §3 "Cancel and pause"). Writes resolve after their commit. */
export interface ControlStore {
  /** The cancel or pause waiting on a workflow's task, if any. */
  requestedControl(workflowId: string): Promise<ControlAction | undefined>;
  /**
   * The tasks of these workflows, by workflow id (one without a task is absent): the cancel or pause waiting
   * on each, and its wake-up counter (a signal or a child's end moves it).
   */
  watchedTasks(workflowIds: readonly string[]): Promise<Map<string, WatchedTask>>;
  /** Unfinished workflows (pending, running, waiting, paused) whose deadline is at or before `now`, at most `limit`, earliest first. */
  dueDeadlines(now: number, limit: number): Promise<{ readonly workflowId: string; readonly deadlineAt: number }[]>;
  /** A workflow's deadline (epoch ms), if its start gave it one. */
  deadlineOf(workflowId: string): Promise<number | undefined>;
  /**
   * Atomically cancels a workflow and its unfinished descendants: those no
   * live worker holds end `cancelled` at once (timers cancelled, parent woken);
   * the others get a cancel request and are woken.
   * @throws WorkflowNotFoundError; InvalidStateError when it finished otherwise than cancelled
   */
  requestCancel(request: CancelRequest): Promise<CancelOutcome>;
  /**
   * Ends a workflow as cancelled: the execution that stopped for it (if any)
   * becomes `cancelled`, executions and attempts a crash left running become
   * `interrupted`, pending timers `cancelled`, the task goes, the parent is woken.
   * Does nothing when the workflow has finished meanwhile.
   * @returns the queue of the woken parent, if any
   */
  endCancelled(end: { workflowId: string; executionId?: string; error: string; now: number }): Promise<string | undefined>;
  /**
   * Atomically pauses a workflow no worker holds (task removed, so nothing
   * wakes it), or asks the worker that holds it to pause.
   * @throws WorkflowNotFoundError; InvalidStateError when finished or compensating
   */
  requestPause(request: { workflowId: string; owner: string; now: number }): Promise<PauseEffect>;
  /**
   * Ends the execution that stopped for a pause: `paused` when the request
   * still stands, else (a resume withdrew it) `interrupted` and due at once.
   */
  endPaused(end: { workflowId: string; executionId?: string; now: number }): Promise<'paused' | 'withdrawn'>;
  /**
   * Parks a workflow whose code no longer matches its recorded steps: the
   * execution ends `paused` with `error`, and so does the workflow (no task,
   * nothing compensated) until a resume after the code is fixed.
   * @returns false, changing nothing, when a cancel was asked meanwhile (it outranks this) or the workflow ended
   */
  pauseForFix(end: { workflowId: string; executionId: string; error: string; now: number }): Promise<boolean>;
  /**
   * Resumes a paused workflow (a new task, due now), or withdraws a pause not yet taken.
   * @throws WorkflowNotFoundError; InvalidStateError when finished or compensating
   */
  resume(request: { workflowId: string; now: number }): Promise<ResumeEffect>;
}

/** The control-relevant columns of a workflow's task row, as both stores read them. */
export interface TaskState {
  readonly queue: string;
  readonly owner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly control: ControlAction | null;
}
