import type { WorkflowStatus } from './store/statuses.js';
/**
 * One error hierarchy for Tempolite.
 *
 * Two families, kept apart as in Temporal's SDK:
 * - `...Error`: misuse or environment problems (bad options, duplicate names,
 *   unknown workflow, schema too new). Thrown at the call that is wrong.
 * - `...Failure`: the outcome of a workflow or a step (an activity that gave up,
 *   a workflow that failed). They chain the original error in `cause`.
 *
 * Every class has a stable `code` and carries the ids of what failed as
 * readonly fields, so callers can branch on them without parsing messages.
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export const ErrorCode = {
  InvalidOptions: 'TEMPOLITE_INVALID_OPTIONS',
  DuplicateName: 'TEMPOLITE_DUPLICATE_NAME',
  ReservedName: 'TEMPOLITE_RESERVED_NAME',
  MissingCompensation: 'TEMPOLITE_MISSING_COMPENSATION',
  RegistryFrozen: 'TEMPOLITE_REGISTRY_FROZEN',
  UnknownWorkflow: 'TEMPOLITE_UNKNOWN_WORKFLOW',
  UnknownQueue: 'TEMPOLITE_UNKNOWN_QUEUE',
  WorkflowIdConflict: 'TEMPOLITE_WORKFLOW_ID_CONFLICT',
  WorkflowNotFound: 'TEMPOLITE_WORKFLOW_NOT_FOUND',
  InvalidState: 'TEMPOLITE_INVALID_STATE',
  NonDeterminism: 'TEMPOLITE_NON_DETERMINISM',
  Serialization: 'TEMPOLITE_SERIALIZATION',
  PayloadTooLarge: 'TEMPOLITE_PAYLOAD_TOO_LARGE',
  SchemaTooNew: 'TEMPOLITE_SCHEMA_TOO_NEW',
  SchemaNotMigrated: 'TEMPOLITE_SCHEMA_NOT_MIGRATED',
  DatabaseInUse: 'TEMPOLITE_DATABASE_IN_USE',
  EngineState: 'TEMPOLITE_ENGINE_STATE',
  ResultTimeout: 'TEMPOLITE_RESULT_TIMEOUT',
  OutsideWorkflow: 'TEMPOLITE_OUTSIDE_WORKFLOW',
  WorkflowFailed: 'TEMPOLITE_WORKFLOW_FAILED',
  ActivityFailed: 'TEMPOLITE_ACTIVITY_FAILED',
  ActivityTimedOut: 'TEMPOLITE_ACTIVITY_TIMED_OUT',
  WorkflowCancelled: 'TEMPOLITE_WORKFLOW_CANCELLED',
  ChildWorkflowFailed: 'TEMPOLITE_CHILD_WORKFLOW_FAILED',
  CompensationFailed: 'TEMPOLITE_COMPENSATION_FAILED',
  Storage: 'TEMPOLITE_STORAGE',
  LeaseLost: 'TEMPOLITE_LEASE_LOST',
} as const;

/** One of the values of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const ERROR_CODES: ReadonlySet<unknown> = new Set(Object.values(ErrorCode));

/** Whether `value` is one of Tempolite's error codes (internal: not exported from the package). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return ERROR_CODES.has(value);
}

/** Base class of every error Tempolite throws. */
export abstract class TempoliteError extends Error {
  /** Stable machine-readable code. */
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid options given to a decorator, a registration, the engine or a call. */
export class InvalidOptionsError extends TempoliteError {
  readonly code = ErrorCode.InvalidOptions;
  /**
   * @param subject what the options belong to, e.g. `@Activity on OrderService.charge`
   * @param path the option that is wrong, e.g. `retry.maxAttempts`
   * @param reason what is wrong with it
   */
  constructor(
    readonly subject: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Invalid option "${path}" for ${subject}: ${reason}`);
  }
}

/** Two registrations claimed the same durable name. */
export class DuplicateNameError extends TempoliteError {
  readonly code = ErrorCode.DuplicateName;
  constructor(
    readonly durableName: string,
    readonly firstRegisteredAt: string,
    readonly secondRegisteredAt: string,
  ) {
    super(
      `The durable name "${durableName}" is registered twice: first by ${firstRegisteredAt}, again by ${secondRegisteredAt}. ` +
        `Give one of them an explicit { name } option.`,
    );
  }
}

/** A user-chosen name uses a prefix Tempolite keeps for itself. */
export class ReservedNameError extends TempoliteError {
  readonly code = ErrorCode.ReservedName;
  constructor(
    readonly durableName: string,
    readonly registeredAt: string,
    readonly reservedPrefix: string,
  ) {
    super(`The name "${durableName}" (${registeredAt}) starts with the reserved prefix "${reservedPrefix}"; choose another name.`);
  }
}

/** A `@Saga({ compensate })` names a method that is missing or not usable as a compensation. */
export class MissingCompensationError extends TempoliteError {
  readonly code = ErrorCode.MissingCompensation;
  constructor(
    readonly className: string,
    readonly methodName: string,
    readonly compensate: string,
    reason: string,
    /** What is wrong, when not a named method (`registerSaga`, or no `compensate` given at all). */
    subject = `@Saga on ${className}.${methodName} names compensate: "${compensate}"`,
  ) {
    super(`${subject}, but ${reason}.`);
  }
}

/** A registration was attempted after the engine started and froze its registry. */
export class RegistryFrozenError extends TempoliteError {
  readonly code = ErrorCode.RegistryFrozen;
  constructor(
    /** The durable name the late registration asked for. */
    readonly durableName: string,
    /** What was registered, as written in code (`registerActivity("late.activity")`, `@Activity on Late.x`). */
    subject: string = durableName,
  ) {
    super(`Cannot register ${subject}${subject.includes(`"${durableName}"`) || subject.endsWith(durableName) ? '' : ` (durable name "${durableName}")`}: the registry is frozen once an engine has started. Register everything before engine.start().`);
  }
}

const DECORATOR_OF = { workflow: '@Workflow', activity: '@Activity', sideEffect: '@SideEffect', saga: '@Saga' } as const;

/** A workflow name (or class method) that no registration knows. */
export class UnknownWorkflowError extends TempoliteError {
  readonly code = ErrorCode.UnknownWorkflow;
  constructor(
    readonly workflowName: string,
    readonly workflowId?: string,
    /** What the method or twin was decorated or registered as, when it was: a workflow left out of `register`, or a step. */
    readonly recordedAs?: keyof typeof DECORATOR_OF,
  ) {
    super(
      workflowId
        ? `Workflow "${workflowId}" runs "${workflowName}", which is not registered in this engine; it is left untouched until that code is registered again.`
        : recordedAs === 'workflow'
          ? `"${workflowName}" is a workflow this engine does not register: add its class (or its registerWorkflow() twin) to the engine's "register" option.`
          : recordedAs !== undefined
            ? `"${workflowName}" is ${recordedAs === 'activity' ? 'an' : 'a'} ${DECORATOR_OF[recordedAs]} step, not a workflow: start a @Workflow method, which calls the step.`
            : `"${workflowName}" is not a registered workflow. Decorate the method with @Workflow or register it with registerWorkflow().`,
    );
  }
}

/** A queue name that the engine options do not declare. */
export class UnknownQueueError extends TempoliteError {
  readonly code = ErrorCode.UnknownQueue;
  constructor(
    readonly queue: string,
    readonly knownQueues: readonly string[],
  ) {
    super(`Unknown queue "${queue}". Declared queues: ${knownQueues.join(', ')}. Declare it in the engine's "queues" option.`);
  }
}

/** A workflow id already exists and runs a different workflow. */
export class WorkflowIdConflictError extends TempoliteError {
  readonly code = ErrorCode.WorkflowIdConflict;
  constructor(
    readonly workflowId: string,
    readonly existingName: string,
    readonly requestedName: string,
  ) {
    super(
      existingName === requestedName
        ? // Only a child start gets here with one name: the workflow under its derived id is not that child.
          `Workflow id "${workflowId}" is held by another "${existingName}" workflow, not the child this step starts; a child's id derives from its parent's id and step id, so do not start other workflows under such an id.`
        : `Workflow id "${workflowId}" is already used by a "${existingName}" workflow (running or finished); it cannot be started again as "${requestedName}".`,
    );
  }
}

/** No workflow with this id exists. */
export class WorkflowNotFoundError extends TempoliteError {
  readonly code = ErrorCode.WorkflowNotFound;
  /**
   * @param runId the run a handle named, when the id now names another run (the handle's was pruned, and the
   *   id started again): the handle does not follow it
   */
  constructor(
    readonly workflowId: string,
    readonly runId?: string,
  ) {
    super(
      runId === undefined
        ? `No workflow with id "${workflowId}".`
        : `No run "${runId}" of workflow "${workflowId}": that run was pruned, and the id now names another run (take its handle with getHandle("${workflowId}")).`,
    );
  }
}

/** What an `InvalidStateError` was asked to do. */
export type InvalidStateOperation = 'retry' | 'signal' | 'cancel' | 'pause' | 'resume' | 'compensate';

/** An operation that the workflow's current status does not allow. */
export class InvalidStateError extends TempoliteError {
  readonly code = ErrorCode.InvalidState;
  /**
   * @param operation what was asked: `retry`, `signal`, `cancel`, `pause`, `resume`, `compensate`
   * @param detail more about it for the message, e.g. the signal's name
   */
  constructor(
    readonly workflowId: string,
    readonly status: WorkflowStatus,
    readonly operation: InvalidStateOperation,
    detail?: string,
  ) {
    super(`Cannot ${operation} workflow "${workflowId}"${detail === undefined ? '' : ` (${detail})`}: its status is "${status}".`);
  }
}

/** What a step id was recorded as, or is expected to be. */
export interface StepShape {
  /** Step kind: `activity`, `sideEffect`, `saga`, ... */
  readonly kind: string;
  /** Durable name of the step. */
  readonly name: string;
}

/** The code calls a different step at an id than the one recorded there. */
export class NonDeterminismError extends TempoliteError {
  readonly code = ErrorCode.NonDeterminism;
  constructor(
    readonly workflowId: string,
    readonly stepId: string,
    readonly expected: StepShape,
    readonly recorded: StepShape,
  ) {
    super(
      expected.kind === 'version'
        ? `Non-determinism in workflow "${workflowId}": it runs version ${recorded.name} of change "${stepId.slice(stepId.indexOf('/') + 1)}" ` +
            (recorded.name === '0' ? '(it passed that point under the code before the change)' : '(recorded when it first reached that point)') +
            `, but the code now supports versions ${expected.name} only. Deploy code that supports it again, then resume the workflow.`
        : recorded.kind === 'timeout'
        ? `Non-determinism in workflow "${workflowId}" at step "${stepId}": the code now waits for signal "${expected.name}" without a timeout, ` +
            `but the database recorded that this wait timed out. Deploy code that gives this wait a timeout again (it then returns { timedOut: true }), then resume the workflow.`
        : expected.kind === 'end'
        ? `Non-determinism in workflow "${workflowId}": the body ended without calling ${recorded.kind} "${recorded.name}", which the database recorded at step "${stepId}". ` +
            `Either a deployment dropped or renamed that call (a renamed step keeps its durable name through the decorator's "name" option), ` +
            `or a re-entry took another path than the first run: a step or wait the body did not await at once (such as a signal handler's flag) replays before the steps that came first, ` +
            `or a retry of the workflow gave a step whose failure the body caught a fresh round, and it succeeded this time. ` +
            `Deploy code that calls it again, then resume the workflow.`
        : `Non-determinism in workflow "${workflowId}" at step "${stepId}": the code now calls ${expected.kind} "${expected.name}", ` +
            `but the database recorded ${recorded.kind} "${recorded.name}". ` +
            (expected.kind === 'signal' && recorded.kind === 'signal'
              ? // Waits are numbered by position and take no explicit id: only the recorded wait fits there.
                `A signal wait cannot be given an explicit id: deploy code that waits for "${recorded.name}" at this point again, then resume the workflow.`
              : `Check that the workflow calls its steps the same way (a renamed step keeps its durable name through the decorator's "name" option), or give a new step an explicit id.`),
    );
  }
}

/** A value the payload codec cannot encode or decode. Nothing was written. */
export class SerializationError extends TempoliteError {
  readonly code = ErrorCode.Serialization;
  /**
   * @param where what was being encoded, e.g. `input of activity "charge#0" in workflow "order-1"`
   * @param path the path inside the value, e.g. `$.items[2].callback`
   * @param reason why it cannot be encoded
   */
  constructor(
    readonly where: string,
    readonly path: string,
    readonly reason: string,
    readonly workflowId?: string,
    readonly stepId?: string,
    options?: { cause?: unknown; decoding?: boolean | undefined },
  ) {
    super(`Cannot ${options?.decoding === true ? 'decode' : 'serialize'} ${where}: ${reason} at ${path}`, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** An encoded payload exceeds the configured size limit. Nothing was written. */
export class PayloadTooLargeError extends TempoliteError {
  readonly code = ErrorCode.PayloadTooLarge;
  constructor(
    readonly where: string,
    readonly size: number,
    readonly limit: number,
    readonly workflowId?: string,
    readonly stepId?: string,
  ) {
    super(`The ${where} is ${size} bytes once encoded, over the limit of ${limit} bytes (engine option "maxPayloadBytes").`);
  }
}

/** The database was migrated by a newer Tempolite than this one. */
export class SchemaTooNewError extends TempoliteError {
  readonly code = ErrorCode.SchemaTooNew;
  constructor(
    readonly unknownMigrations: readonly string[],
    readonly database: string,
  ) {
    super(
      `The database ${database} has migrations this version of Tempolite does not know (${unknownMigrations.join(', ')}). ` +
        `It was written by a newer Tempolite; upgrade the package instead of running an older one on it.`,
    );
  }
}

/**
 * An engine started with `migrate: false` (the CLI and the dashboard always are) found a database
 * this version of Tempolite has not fully migrated: no Tempolite tables at all (a mistyped path or
 * `?schema=`, an application's own database) or tables of an older Tempolite. Nothing was created
 * or changed.
 */
export class SchemaNotMigratedError extends TempoliteError {
  readonly code = ErrorCode.SchemaNotMigrated;
  /**
   * @param pendingMigrations the migrations of this version the database has not had, oldest first
   * @param database the database, as a file path or a URL without its password
   * @param empty true when the database holds no Tempolite tables at all
   */
  constructor(
    readonly pendingMigrations: readonly string[],
    readonly database: string,
    readonly empty: boolean,
  ) {
    super(
      empty
        ? `${database} is not a Tempolite database: it has no Tempolite tables. Check the path (or the ?schema= of the URL); ` +
            `an engine started with migrate: true (the default) creates them.`
        : `The database ${database} was written by an older Tempolite and needs migrations (${pendingMigrations.join(', ')}). ` +
            `Start an engine of this version with migrate: true (the default) on it once.`,
    );
  }
}

/** Another live engine already works on this SQLite file. */
export class DatabaseInUseError extends TempoliteError {
  readonly code = ErrorCode.DatabaseInUse;
  /**
   * @param workerId on PostgreSQL: the `workerId` a live engine on the database already has (fencing a stalled
   *   worker tells workers apart by it, so two live ones must not share it)
   */
  constructor(
    readonly database: string,
    readonly workerId?: string,
  ) {
    super(
      workerId === undefined
        ? `Another Tempolite engine is running on ${database}. One SQLite file is worked by one process; ` +
            `use PostgreSQL to run several worker processes, or stop the other engine first.`
        : `Another Tempolite engine with workerId "${workerId}" is running on ${database}. Give every live worker process ` +
            `a workerId of its own; reuse one (a restarted pod) only once the process that had it is gone.`,
    );
  }
}

/**
 * A worker wrote for a workflow whose lease it no longer holds (on PostgreSQL: it stalled for
 * longer than `leaseMs`, and another worker took the workflow over). The write is refused, so a
 * stalled worker never records a step the new owner runs too; the stalled body stops there.
 * Seen in the worker's log, not by callers.
 */
export class LeaseLostError extends TempoliteError {
  readonly code = ErrorCode.LeaseLost;
  /**
   * @param workflowId the workflow the write was about
   * @param workerId the worker that lost the lease
   */
  constructor(
    readonly workflowId: string,
    readonly workerId: string,
  ) {
    super(`Worker "${workerId}" no longer holds the lease of workflow "${workflowId}" (another worker took it over): its body there stops and records nothing more.`);
  }
}

/** The engine is not in a state that allows the call (not started, or closed). */
export class EngineStateError extends TempoliteError {
  readonly code = ErrorCode.EngineState;
  constructor(message: string) {
    super(message);
  }
}

/** `handle.result({ timeout })` waited that long and the workflow has not ended: it goes on, nothing changed. */
export class ResultTimeoutError extends TempoliteError {
  readonly code = ErrorCode.ResultTimeout;
  constructor(
    readonly workflowId: string,
    /** The timeout the call had, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`Workflow "${workflowId}" has not ended within ${timeoutMs} ms; it goes on (call result() again to wait again).`);
  }
}

/** A context API was called where it has no meaning: `workflowContext()` outside a workflow body, `activityContext()` outside a step. */
export class OutsideWorkflowError extends TempoliteError {
  readonly code = ErrorCode.OutsideWorkflow;
  constructor(readonly api: string) {
    super(
      api === 'activityContext()'
        ? `activityContext() can only be called inside a running activity, saga step or compensation (not in a workflow body, nor outside the engine).`
        : `${api} can only be called inside a running workflow body (not inside one of its steps, nor outside the engine).`,
    );
  }
}

/** An activity (or saga step) gave up: retries exhausted or a non-retryable error. */
export class ActivityFailure extends TempoliteError {
  readonly code = ErrorCode.ActivityFailed;
  constructor(
    readonly workflowId: string,
    readonly stepId: string,
    readonly activityName: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`Activity "${stepId}" (${activityName}) of workflow "${workflowId}" failed after ${attempts} attempt(s): ${describeCause(cause)}`, { cause });
  }
}

/**
 * One attempt of an activity (or saga transaction) ran longer than its `timeout`.
 * It fails that attempt, which is retried by the step's policy like any other
 * failure; an `ActivityFailure` whose `cause` is this error when none is left.
 * The attempt's `AbortSignal` fires with this error as its reason.
 */
export class ActivityTimeoutFailure extends TempoliteError {
  readonly code = ErrorCode.ActivityTimedOut;
  /**
   * @param workflowId the workflow the step belongs to
   * @param stepId the step, e.g. `Orders.charge#0`
   * @param activityName durable name of the activity or saga step
   * @param attempt the attempt that ran out of time (1, 2, ...)
   * @param timeoutMs the timeout it had, in milliseconds
   */
  constructor(
    readonly workflowId: string,
    readonly stepId: string,
    readonly activityName: string,
    readonly attempt: number,
    readonly timeoutMs: number,
  ) {
    super(`Attempt ${attempt} of activity "${stepId}" (${activityName}) of workflow "${workflowId}" timed out after ${timeoutMs} ms.`);
  }
}

/** The logical outcome of a workflow that failed terminally. `cause` holds what made it fail. */
export class WorkflowFailure extends TempoliteError {
  readonly code = ErrorCode.WorkflowFailed;
  constructor(
    readonly workflowId: string,
    readonly workflowName: string,
    readonly runId: string,
    cause: unknown,
  ) {
    super(`Workflow "${workflowId}" (${workflowName}) failed: ${describeCause(cause)}`, { cause });
  }
}

/** A child workflow ended without a result; thrown into the parent at the step that awaited it. */
export class ChildWorkflowFailure extends TempoliteError {
  readonly code = ErrorCode.ChildWorkflowFailed;
  constructor(
    readonly workflowId: string,
    readonly workflowName: string,
    readonly status: WorkflowStatus,
    readonly parentId: string,
    readonly stepId: string,
    cause: unknown,
  ) {
    super(`Child workflow "${workflowId}" (${workflowName}) of "${parentId}" at step "${stepId}" ended ${status}: ${describeCause(cause)}`, { cause });
  }
}

/**
 * The workflow was cancelled before it finished: by `cancel()`, as the child of a cancelled parent, or by
 * the engine when it reached its deadline (a start's `timeout`; then `timedOut` is true and `deadline` is set).
 */
export class WorkflowCancelledFailure extends TempoliteError {
  readonly code = ErrorCode.WorkflowCancelled;
  /** True when the workflow was cancelled because it reached its deadline. */
  readonly timedOut: boolean;
  /**
   * @param deadline when the cancel is the deadline's: the time the workflow had to finish by
   */
  constructor(
    readonly workflowId: string,
    readonly workflowName: string,
    readonly deadline?: Date,
  ) {
    super(
      deadline === undefined
        ? `Workflow "${workflowId}" (${workflowName}) was cancelled.`
        : `Workflow "${workflowId}" (${workflowName}) timed out: it was cancelled at its deadline ${deadline.toISOString()}.`,
    );
    this.timedOut = deadline !== undefined;
  }
}

/**
 * A saga step's compensation gave up (its `compensationRetry` policy is
 * exhausted, or it threw a non-retryable error). `cause` is what the
 * compensation threw; `originalFailure`, when compensation ran because the
 * workflow failed or was cancelled, is that original failure, so one error
 * shows both what went wrong and what could not be undone.
 */
export class CompensationFailure extends TempoliteError {
  readonly code = ErrorCode.CompensationFailed;
  /** Why the workflow was compensating; absent (not `undefined`) for `workflowContext().compensate()`. */
  declare readonly originalFailure?: unknown;
  /**
   * @param workflowId the workflow whose saga step could not be compensated
   * @param stepId the saga step, e.g. `TripBooking.bookHotel#0`
   * @param sagaName durable name of the saga step
   * @param attempts compensation attempts made in the last round
   * @param cause what the compensation threw
   * @param originalFailure why the workflow was compensating (absent for `workflowContext().compensate()`)
   */
  constructor(
    readonly workflowId: string,
    readonly stepId: string,
    readonly sagaName: string,
    readonly attempts: number,
    cause: unknown,
    originalFailure?: unknown,
  ) {
    super(
      `Compensation of saga step "${stepId}" (${sagaName}) of workflow "${workflowId}" failed after ${attempts} attempt(s): ${describeCause(cause)}` +
        (originalFailure === undefined ? '' : `; it was compensating after: ${describeCause(originalFailure)}`),
      { cause },
    );
    if (originalFailure !== undefined) Object.defineProperty(this, 'originalFailure', { value: originalFailure, enumerable: true, writable: false, configurable: true });
  }
}

/** What is wrong with a database (its file, or the PostgreSQL server), for {@link StorageError}. */
export type StorageProblem = 'corrupt' | 'not-a-database' | 'read-only' | 'full' | 'cannot-open' | 'io' | 'cannot-connect' | 'busy' | 'migration-failed';

const STORAGE_PROBLEMS: Record<StorageProblem, string> = {
  corrupt: 'is damaged (its pages are malformed or the file was cut short); restore it from a backup',
  'not-a-database': 'is not a SQLite database (a wrong path, or a foreign or encrypted file)',
  'read-only': 'cannot be written: the file, its -wal/-shm files or its folder are read-only for this process',
  full: 'cannot be written: the disk is full or the file reached a size limit',
  'cannot-open': 'cannot be opened: check that its folder exists and that this process may create files in it',
  io: 'could not be read or written (an I/O error, e.g. a full disk or a file size limit)',
  'cannot-connect': 'cannot be reached: check the URL (host, port, database name), the user and password, and that the server runs',
  busy: 'stayed locked by another connection for longer than busyTimeoutMs (another process, or an application DataSource on the same file, held its write lock); nothing was written, try again',
  'migration-failed': 'could not be migrated: a migration failed and was rolled back, so the schema is as it was (a table of the same name was there already, or its tables do not match what its migrations table says: changed by hand?)',
};

/**
 * The database file cannot be used: damaged, not a database, read-only, full,
 * unopenable, or failing I/O. At `start()` the engine refuses to start and
 * leaves the file as it was; at run time the call whose write failed rejects
 * with it and nothing of that write is kept.
 */
export class StorageError extends TempoliteError {
  readonly code = ErrorCode.Storage;
  /**
   * @param database the database, e.g. its file path
   * @param problem what is wrong, e.g. `corrupt`
   * @param sqliteCode the driver's code, e.g. `SQLITE_CORRUPT`, when there is one
   * @param cause the driver's error
   */
  constructor(
    readonly database: string,
    readonly problem: StorageProblem,
    readonly sqliteCode: string | undefined,
    cause: unknown,
  ) {
    super(`The database ${database} ${STORAGE_PROBLEMS[problem]}. ${describeCause(cause)}`, { cause });
  }
}

/**
 * `Name: message` of an error-like value, for messages that chain causes; only the message of Tempolite's own
 * errors, whose messages name what failed. Never throws, whatever the value.
 */
export function describeCause(cause: unknown): string {
  try {
    if (cause instanceof TempoliteError) return cause.message;
    if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
    return String(cause);
  } catch {
    // A null-prototype object, a throwing toString or getter: String() itself throws.
    return Object.prototype.toString.call(cause);
  }
}

/** The innermost `cause` of an error chain: usually the error user code threw. */
export function rootCause(error: unknown): unknown {
  let current = error;
  const seen = new Set<unknown>();
  while (current instanceof Error && current.cause !== undefined && !seen.has(current)) {
    seen.add(current);
    current = current.cause;
  }
  return current;
}
