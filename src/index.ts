/**
 * Tempolite: durable workflows for TypeScript services.
 *
 * Decorate service methods with `@Workflow`, `@Activity`, `@SideEffect` and
 * `@Saga`; start the engine; start workflows. Each step's result is
 * checkpointed in SQLite under a stable step id, so a workflow interrupted by
 * a crash, a failure or a restart resumes where it stopped.
 *
 * ```ts
 * import 'reflect-metadata';
 * import { Activity, Tempolite, Workflow } from 'tempolite';
 *
 * class Greeter {
 *   @Activity() async greet(name: string) { return `hello ${name}`; }
 *   @Workflow() async run(name: string) { return this.greet(name); }
 * }
 *
 * const engine = new Tempolite({ database: './app.db' });
 * await engine.start();
 * const handle = await engine.startWorkflow(Greeter, 'run', ['ana'], { id: 'greet-ana' });
 * console.log(await handle.result());
 * await engine.close();
 * ```
 *
 * @packageDocumentation
 */
import './reflect-check.js';

export { Workflow, type WorkflowOptions, type ScheduledMethod, type WorkflowDecorator } from './decorators/workflow.js';
export { Activity, type ActivityOptions } from './decorators/activity.js';
export { SideEffect, type SideEffectOptions } from './decorators/side-effect.js';
export { Saga, type SagaOptions } from './decorators/saga.js';
export { registerWorkflow } from './decorators/register-workflow.js';
export { registerActivity } from './decorators/register-activity.js';
export { registerSideEffect } from './decorators/register-side-effect.js';
export { registerSaga, type SagaFunctions, type RegisterSagaOptions } from './decorators/register-saga.js';
export type { RegisteredFunction } from './decorators/register-function.js';

export { Tempolite, TEMPOLITE_OPTIONS, type ListOptions } from './engine/tempolite.js';
export type { TempoliteOptions, QueueOptions } from './engine/engine-options.js';
export type { CloseOptions } from './engine/close-options.js';
export type { RetryPolicyOptions } from './engine/retry-policy.js';
export type { ScheduleOptions } from './engine/schedule/cron-schedule.js';
export { SystemClock, type Clock } from './engine/clock.js';
export { TestClock } from './engine/test-clock.js';
export type { Duration, DurationUnit } from './engine/duration.js';
export type { ReceivedSignal, SignalTimeout, SignalResult, WaitForSignalOptions } from './engine/waits/signal-types.js';
export { consoleLogger, silentLogger, type Logger } from './engine/logger.js';
export type { AsyncMethodNames, MethodArgs, MethodResult } from './engine/workflow-types.js';
export type { AsyncMethod } from './decorators/decorate-method.js';

export { workflowContext, WorkflowContext, StepOptionsBuilder, type ChildOptions, type DetachedOptions, type DetachedWorkflow } from './context/workflow-context.js';
export { activityContext, type ActivityContext } from './context/activity-context.js';
export { DEFAULT_VERSION } from './engine/steps/version-step.js';

export { WorkflowHandle } from './client/workflow-handle.js';
export type { StartOptions } from './client/start-options.js';
export type { ResultOptions } from './client/result-options.js';
export type { SignalOptions } from './client/signal-options.js';
export type { PruneOptions } from './client/prune-options.js';
export type { WorkflowDescription, ExecutionDescription, StepDescription, AttemptDescription, WorkflowSummary, TimerDescription, TimerStatus, SignalDescription, SignalWaitDescription, UndecodablePayload } from './client/description.js';
export { formatRunTree } from './client/format-tree.js';
export { progressOf, formatProgress, type Progress } from './client/progress.js';

export type {
  TempoliteEvents,
  TempoliteEventName,
  TempoliteListener,
  WorkflowEventBase,
  WorkflowStartedEvent,
  WorkflowCompletedEvent,
  WorkflowFailedEvent,
  WorkflowRetriedEvent,
  WorkflowCompensatingEvent,
  WorkflowCompensatedEvent,
  WorkflowCompensationFailedEvent,
  WorkflowCancelledEvent,
  WorkflowPausedEvent,
  StepEventBase,
  StepStartedEvent,
  StepCompletedEvent,
  StepFailedEvent,
  CompensationEventBase,
  CompensationStartedEvent,
  CompensationCompletedEvent,
  CompensationFailedEvent,
} from './events/event-types.js';

export { tsyringeContainer, type ServiceContainer } from './di/service-container.js';
export { SuperJsonCodec, type PayloadCodec, type SuperJsonCodecOptions } from './store/codec.js';
export type { PayloadClass } from './store/codec-errors.js';
export type { Constructor } from './registry/registration.js';
export type { WorkflowStatus, FinishedStatus, ExecutionStatus, ExecutionReason, StepStatus, StepKind, AttemptStatus } from './store/statuses.js';

export {
  ErrorCode,
  TempoliteError,
  InvalidOptionsError,
  DuplicateNameError,
  ReservedNameError,
  MissingCompensationError,
  RegistryFrozenError,
  UnknownWorkflowError,
  UnknownQueueError,
  WorkflowIdConflictError,
  WorkflowNotFoundError,
  InvalidStateError,
  NonDeterminismError,
  SerializationError,
  PayloadTooLargeError,
  SchemaTooNewError,
  SchemaNotMigratedError,
  StorageError,
  LeaseLostError,
  DatabaseInUseError,
  EngineStateError,
  ResultTimeoutError,
  OutsideWorkflowError,
  ActivityFailure,
  ActivityTimeoutFailure,
  WorkflowFailure,
  WorkflowCancelledFailure,
  CompensationFailure,
  ChildWorkflowFailure,
  rootCause,
  describeCause,
  type StepShape,
  type StorageProblem,
  type InvalidStateOperation,
} from './errors.js';
