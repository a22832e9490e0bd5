import type { AttemptRow, CheckpointRow, ChildRow, ExecutionRow, RunRow, StepRow, WorkflowDataRow, WorkflowRow } from './rows.js';
import type { AttemptStatus, ExecutionReason, ExecutionStatus, StepKind, StepStatus, WorkflowStatus } from './statuses.js';
import type { ControlAction, ControlStore } from './control-store.js';
import type { SagaStore } from './saga-store.js';
import type { WaitStore } from './wait-store.js';

/** A new workflow entity (and its run and task when it starts a tree). */
export interface NewWorkflow {
  readonly id: string;
  readonly runId: string;
  /** True when the workflow starts a new run (root or detached); false for a child in its parent's run. */
  readonly newRun: boolean;
  readonly name: string;
  readonly queue: string;
  readonly priority: number;
  readonly input: string;
  readonly parent?: { readonly id: string; readonly generation: number; readonly stepId: string };
  /** Epoch ms after which the workflow is cancelled if unfinished (a start's `timeout`). */
  readonly deadlineAt?: number;
  readonly now: number;
}

/** What `createWorkflow` found. */
export type CreateResult = { readonly created: true } | { readonly created: false; readonly existing: WorkflowRow };

/** Everything the engine needs to enter a workflow body. */
export interface ExecutionSnapshot {
  readonly workflow: WorkflowRow;
  readonly input: string | null;
  readonly lastExecution: ExecutionRow | undefined;
  readonly checkpoints: readonly CheckpointRow[];
  /** Child workflows started by steps of the current generation. */
  readonly children: readonly ChildRow[];
  /** The task's wake-up counter when loaded; pass it back as `seenWakeups` when suspending. */
  readonly wakeups: number;
  /** The cancel or pause left on the task (`null`: none), when read with the snapshot; else the runner asks. */
  readonly control?: ControlAction | null;
}

/** The start of one step attempt. */
export interface AttemptStart {
  readonly kind: StepKind;
  readonly stepEntityId: string;
  /** Present when the step entity does not exist yet. */
  readonly create?: { readonly workflowId: string; readonly generation: number; readonly stepId: string; readonly name: string; readonly input: string | null; readonly compensateName?: string };
  readonly attemptId: string;
  readonly workflowExecutionId: string;
  readonly attempt: number;
  /** Saga executions only. */
  readonly attemptKind?: 'transaction' | 'compensation';
  readonly now: number;
}

/** The end of one step attempt. */
export interface AttemptEnd {
  readonly kind: StepKind;
  readonly stepEntityId: string;
  readonly attemptId: string;
  readonly attemptStatus: AttemptStatus;
  readonly stepStatus: StepStatus;
  readonly attempts: number;
  readonly output?: string;
  readonly error?: string;
  readonly now: number;
}

/** A recorded side effect (entity, value and its single execution at once). */
export interface SideEffectRecord {
  readonly id: string;
  readonly attemptId: string;
  readonly workflowId: string;
  readonly generation: number;
  readonly stepId: string;
  readonly name: string;
  readonly workflowExecutionId: string;
  /** The encoded value; `null` when the side effect threw (`error` holds the failure). */
  readonly output: string | null;
  /** The encoded error the side effect threw: the step is recorded `failed`. */
  readonly error?: string;
  readonly startedAt: number;
  readonly now: number;
}

/** How an execution ends and what happens to its workflow. */
export interface ExecutionEnd {
  readonly workflowId: string;
  readonly executionId: string;
  readonly executionStatus: ExecutionStatus;
  readonly executionError?: string;
  readonly workflowStatus: WorkflowStatus;
  /** Failed executions in the current round, after this one. */
  readonly attempts?: number;
  readonly output?: string;
  readonly error?: string;
  /** When the task becomes claimable again; `null` keeps it unclaimable; absent deletes the task (terminal). */
  readonly nextRunAt?: number | null;
  /** With `nextRunAt`: the wake-up counter seen at entry. If it moved meanwhile, the task runs again at once. */
  readonly seenWakeups?: number;
  /**
   * With `nextRunAt`: the task keeps its due time when that is earlier, so a workflow a closing engine stopped
   * goes back to its place in its queue, not behind the work that became due while it ran.
   */
  readonly keepsItsPlace?: boolean;
  /** Failed steps of this generation are reset so a retry runs them again. */
  readonly resetFailedSteps?: boolean;
  /** The workflow's parent (`null`: a root), when the caller knows it: a terminal end wakes it without looking it up. */
  readonly parentId?: string | null;
  /**
   * A completion that a cancel recorded on the task (by this engine or another process) overrides: then
   * nothing is written and `endExecution` resolves `false`, for the caller to end the workflow cancelled.
   */
  readonly unlessCancelRequested?: boolean;
  readonly now: number;
}

/** Filters of `listWorkflows`. */
/** One batch of `pruneRuns`. */
export interface PruneBatch {
  /** Finished statuses of the root workflows to prune. */
  readonly statuses: readonly WorkflowStatus[];
  /** Epoch ms: roots that ended later are kept. */
  readonly endedBefore: number;
  /** Runs per transaction. */
  readonly limit: number;
}

export interface ListFilter {
  readonly status?: WorkflowStatus | readonly WorkflowStatus[];
  readonly name?: string;
  readonly queue?: string;
  readonly runId?: string;
  readonly limit: number;
  readonly offset: number;
}

/** A queue's limits over every worker of the queue (all processes), as a claim applies them. */
export interface QueueLimits {
  /** Tasks of the queue leased at once, by all workers together. */
  readonly concurrency: number;
  /** At most `limit` claims (workflow entries) per `intervalMs`, by all workers together. */
  readonly rateLimit?: { readonly limit: number; readonly intervalMs: number };
}

/** What a shared store pushes to an engine (see `WorkflowStore.listen`). */
export interface StoreListener {
  /** Work became due on `queue` (created, woken, retried, released). */
  readonly work: (queue: string) => void;
  /** A workflow reached a terminal status. */
  readonly finished: (workflowId: string) => void;
  /** A signal was stored for a workflow (a body waiting for it in memory re-checks at once). */
  readonly signalled: (workflowId: string) => void;
  /** A cancel or pause was asked of a workflow, or a pause withdrawn (a body running it in memory re-checks at once). */
  readonly controlled: (workflowId: string) => void;
}

/**
 * The engine's view of the database: coarse operations, each one atomic.
 * Writes resolve only after their commit (group commit may share it with other writes).
 */
export interface WorkflowStore extends SagaStore {
  /** Human label of the database (path or URL without secrets). */
  readonly label: string;
  /** Durable timers and signals (issue 5). */
  readonly waits: WaitStore;
  /** Cancel, pause and resume requests (issue 5). */
  readonly control: ControlStore;

  /** Creates a workflow (and its run, data and task) unless the id exists. */
  createWorkflow(workflow: NewWorkflow): Promise<CreateResult>;
  /**
   * Whether a claim queued right after a write runs after it in the same
   * transaction (SQLite's single group-commit queue): a workflow started here
   * is then created and claimed in one commit.
   */
  readonly claimsFollowWrites: boolean;
  /**
   * Claims up to `limit` runnable tasks of `queue` whose workflow names are in `names`.
   * With `queueLimits`, a store shared by several processes also keeps the queue's
   * concurrency and rate limit over all of them (a SQLite store has one engine, whose
   * worker already keeps them).
   */
  claimTasks(queue: string, owner: string, limit: number, names: readonly string[], now: number, leaseMs: number, queueLimits?: QueueLimits): Promise<string[]>;
  /**
   * When the claims of `queue` since `since` were made (a rate-limited queue's claims are recorded): a worker
   * starting on the database counts them against its rate limit, so a restart does not grant a second window.
   */
  recentClaims(queue: string, since: number): Promise<number[]>;
  /**
   * Extends the leases this owner holds on `workflowIds`, the workflows this process runs. Not every lease
   * under the owner's name: a process restarted under the same `workerId` must let its dead predecessor's
   * leases run out, so that they are taken over. (SQLite renews all of the owner's: the engine that holds the
   * file lock has already freed every lease it found.)
   */
  renewLeases(owner: string, workflowIds: readonly string[], now: number, leaseMs: number): Promise<void>;
  /** Which of `workflowIds` another owner holds now: their lease ran out and another worker took them over. */
  takenOver(owner: string, workflowIds: readonly string[]): Promise<string[]>;
  /**
   * Frees the leases of one owner (graceful stop) or of everyone (a SQLite engine that holds the file lock).
   * @param keep workflows whose leases stay: a close that stopped waiting for them leaves them as a crash would
   */
  releaseLeases(owner: string | undefined, keep?: readonly string[]): Promise<void>;
  /** Earliest `available_at` of a claimable task of `queue` in the future, if any. */
  nextWakeAt(queue: string, now: number): Promise<number | undefined>;

  /** Loads a workflow with its input, last execution and the checkpoints of its current generation. */
  loadSnapshot(workflowId: string): Promise<ExecutionSnapshot | undefined>;
  /** Records a new execution; marks a dangling previous one interrupted. */
  beginExecution(execution: { id: string; workflowId: string; generation: number; attempt: number; reason: ExecutionReason; owner: string; interrupted?: string; now: number }): Promise<void>;
  /** Ends an execution and moves the workflow accordingly; `false` when `unlessCancelRequested` stopped it. */
  endExecution(end: ExecutionEnd): Promise<boolean>;

  /** Starts one step attempt (and creates the step when new). */
  beginAttempt(start: AttemptStart): Promise<void>;
  /** Ends one step attempt. */
  endAttempt(end: AttemptEnd): Promise<void>;
  /** Records a side effect's value. */
  recordSideEffect(record: SideEffectRecord): Promise<void>;
  /** Marks attempts left running by a crash as interrupted. */
  interruptAttempts(kind: StepKind, stepEntityId: string, now: number): Promise<void>;
  /** The encoded arguments recorded at an activity's or saga step's first attempt (`null`: none, or no such step). */
  stepInput(kind: 'activity' | 'saga', stepEntityId: string): Promise<string | null>;

  /** Reads for clients. */
  getWorkflow(workflowId: string): Promise<WorkflowRow | undefined>;
  getWorkflowData(workflowId: string): Promise<WorkflowDataRow | undefined>;
  getRun(runId: string): Promise<RunRow | undefined>;
  listWorkflows(filter: ListFilter): Promise<WorkflowRow[]>;
  workflowsOfRun(runId: string): Promise<WorkflowRow[]>;
  executionsOf(workflowId: string): Promise<ExecutionRow[]>;
  stepsOf(workflowId: string): Promise<StepRow[]>;
  attemptsOf(kind: StepKind, stepEntityIds: readonly string[]): Promise<AttemptRow[]>;
  /** Names of unfinished workflows that are not in `known`, with how many of each. */
  unknownWorkflowNames(known: readonly string[]): Promise<{ name: string; count: number }[]>;

  /**
   * Wakes a workflow: bumps its wake-up counter and, unless a worker holds it,
   * makes its task claimable now. Returns the queue of the task, if it has one.
   */
  wake(workflowId: string, now: number): Promise<string | undefined>;

  /**
   * Ends an execution by continue-as-new: same entity and run, the next
   * generation with a new input, retry counts reset, runnable at once.
   */
  continueAsNew(c: { workflowId: string; executionId: string; input: string; now: number }): Promise<void>;

  /** A child of `parentId` started at `stepId` of `generation`, with its outcome. */
  findChild(parentId: string, generation: number, stepId: string): Promise<ChildRow | undefined>;

  /** Deletes the task of a workflow that needs no more running. */
  dropTask(workflowId: string): Promise<void>;

  /** Puts a failed workflow back to run from its failed step. */
  retryWorkflow(workflowId: string, now: number): Promise<void>;

  /**
   * Deletes up to `limit` finished runs, in one transaction, with every row of
   * their workflows: runs whose root workflow is in one of `statuses` and
   * ended at or before `endedBefore`, and whose every workflow has finished.
   * @returns the runs and workflows deleted
   */
  pruneRuns(p: PruneBatch): Promise<{ runs: number; workflows: number }>;

  /**
   * Pushes what other processes sharing the database did (PostgreSQL:
   * LISTEN/NOTIFY), so idle workers claim at once and clients learn of outcomes
   * without waiting for their next poll. Absent when one process is all there is (SQLite).
   */
  listen?(listener: StoreListener): void;

  /** Waits for queued writes, then closes the database. */
  close(): Promise<void>;
}
