import type { Span, Tracer } from '@opentelemetry/api';
import type { Clock } from '../engine/clock.js';
import { NonDeterminismError, WorkflowCancelledFailure } from '../errors.js';
import { consoleLogger, silentLogger, type Logger } from '../engine/logger.js';
import { thrownAsError } from '../store/codec-errors.js';
import type { WorkflowRow } from '../store/rows.js';
import type { ExecutionReason, StepKind } from '../store/statuses.js';
import type { EventHub } from './event-hub.js';
import type { StepEventBase, TempoliteEventName, TempoliteEvents, WorkflowEventBase } from './event-types.js';
import { endSpan, startSpan, tempoliteTracer, tracingEnabled, withSpan } from './tracing.js';

/** What the observer reads of a workflow runtime (a body execution or a compensation phase). */
export interface ObservedHost {
  readonly info: { readonly workflowId: string; readonly workflowName: string; readonly executionId: string; readonly runId?: string };
  readonly workflow?: { readonly parentId: string | null };
}

/** A step attempt (or compensation attempt) being observed; every call is made after its row is committed. */
export interface AttemptObservation {
  /** Runs the step's code with the attempt's span active. */
  run<T>(fn: () => T): T;
  /** `endedAt`: the end the attempt's row records, so the event's `durationMs` is the one `describe()` shows. */
  completed(endedAt?: number): void;
  failed(error: unknown, willRetry: boolean, endedAt?: number): void;
  /** Stopped from outside (engine closing, cancel): no event, the span ends. */
  interrupted(): void;
}

/** Which step an attempt belongs to: an activity, saga transaction or side effect, or a saga compensation. */
export interface ObservedStep {
  readonly kind: StepKind | 'compensation';
  readonly stepId: string;
  readonly name: string;
  readonly attempt: number;
}

interface HostRecord {
  readonly base: WorkflowEventBase & { readonly executionId: string };
  readonly startedAt: number;
  span: Span | undefined;
}

const NOOP_ATTEMPT: AttemptObservation = {
  run: (fn) => fn(),
  completed: () => undefined,
  failed: () => undefined,
  interrupted: () => undefined,
};

type LogLevel = 'debug' | 'info' | 'warn';

const STEP_EVENTS = { started: 'step.started', completed: 'step.completed', failed: 'step.failed' } as const;
const COMPENSATION_EVENTS = { started: 'compensation.started', completed: 'compensation.completed', failed: 'compensation.failed' } as const;

/**
 * Turns what the engine does into lifecycle events, log lines and
 * OpenTelemetry spans. The engine calls it after each write it reports has
 * resolved, so an event never announces something that is not committed.
 * Spans follow the same calls: one per workflow execution (and compensation
 * phase), one per step attempt under it.
 *
 * Cheap when unused: with no listener, a logger that drops the level and no
 * OpenTelemetry SDK registered, an observed step costs a few checks.
 */
export class Observer {
  private readonly hosts = new WeakMap<object, HostRecord>();
  /** Per workflow, the last event queued: events are emitted in the order the engine reported them. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly hub: EventHub,
    private readonly logger: Logger,
    private readonly clock: Clock,
    /** Reads a workflow, for events of client calls that know only its id. */
    private readonly lookup: (workflowId: string) => Promise<WorkflowRow | undefined>,
    private readonly tracer: Tracer = tempoliteTracer(),
  ) {}

  /** A body execution was asked to begin; `begun` is the write of its row, which records `startedAt`. */
  executionBegan(host: ObservedHost, reason: Exclude<ExecutionReason, 'compensate'>, attempt: number, begun: Promise<void>, startedAt: number): void {
    const record = this.track(host, `workflow ${host.info.workflowName}`, { 'tempolite.execution.reason': reason, 'tempolite.workflow.attempt': attempt }, startedAt);
    if (!this.hub.has('workflow.started') && !this.levelEnabled('info')) return;
    this.enqueue(record.base.workflowId, begun, () => this.emitWorkflow('workflow.started', { ...record.base, at: this.now(), reason, attempt }, 'workflow started'));
  }

  /** The workflow completed (its row is committed, recording `endedAt`). */
  workflowCompleted(host: ObservedHost, endedAt: number): void {
    const record = this.record(host);
    const now = this.clock.now();
    this.workflowEvent('workflow.completed', { ...record.base, at: new Date(now), durationMs: endedAt - record.startedAt }, 'workflow completed');
    this.finish(record, now);
  }

  /** The execution failed and the workflow will run again by its retry policy. */
  workflowRetried(host: ObservedHost, error: unknown, attempts: number, retryAt: number): void {
    const record = this.record(host);
    const now = this.clock.now();
    this.workflowEvent('workflow.retried', { ...record.base, at: new Date(now), trigger: 'policy', error: thrownAsError(error), attempts, retryAt: new Date(retryAt) }, 'workflow failed; retrying');
    this.finish(record, now, error);
  }

  /** The workflow failed terminally. */
  workflowFailed(host: ObservedHost, error: unknown, attempts: number): void {
    const record = this.record(host);
    const now = this.clock.now();
    this.workflowEvent('workflow.failed', { ...record.base, at: new Date(now), error: thrownAsError(error), attempts }, 'workflow failed', 'warn');
    this.finish(record, now, error);
  }

  /** The body execution ended without an outcome (suspended, paused, interrupted, continued as new, or handed to compensation). */
  executionEnded(host: ObservedHost, error?: unknown): void {
    const record = this.hosts.get(host);
    if (record) this.finish(record, this.clock.now(), error);
  }

  /** A compensation phase began, or `resumed` (its row is committed); `error` gives the reason when anyone listens. */
  compensationPhaseBegan(host: ObservedHost, resumed: boolean, error: () => Error | undefined): void {
    const record = this.track(host, `compensate ${host.info.workflowName}`, { 'tempolite.execution.reason': 'compensate' });
    if (!this.hub.has('workflow.compensating') && !this.levelEnabled('info')) return;
    const reason = error();
    this.workflowEvent('workflow.compensating', { ...record.base, at: this.now(), resumed, ...(reason ? { error: reason } : {}) }, resumed ? 'workflow compensating (resumed)' : 'workflow compensating');
  }

  /**
   * The compensation phase ended: every compensation ran. After a failure the workflow still failed (its
   * `result()` throws), so that is logged at `warn` as `workflow.failed` is; after a cancel at `info`.
   */
  workflowCompensated(host: ObservedHost, reason: Error | undefined): void {
    const record = this.record(host);
    const now = this.clock.now();
    const failed = reason !== undefined && !(reason instanceof WorkflowCancelledFailure);
    this.workflowEvent('workflow.compensated', { ...record.base, at: new Date(now), ...(reason ? { error: reason } : {}) }, 'workflow compensated', failed ? 'warn' : 'info');
    this.finish(record, now);
  }

  /** The compensation phase ended: a compensation gave up. */
  workflowCompensationFailed(host: ObservedHost, failure: unknown): void {
    const record = this.record(host);
    const now = this.clock.now();
    this.workflowEvent('workflow.compensation_failed', { ...record.base, at: new Date(now), error: thrownAsError(failure) }, 'workflow compensation failed', 'warn');
    this.finish(record, now, failure);
  }

  /** `engine.retry()` put a failed workflow back to run (its rows are committed). */
  manualRetry(workflow: WorkflowRow): void {
    const now = this.clock.now();
    this.workflowEvent('workflow.retried', { ...baseOf(workflow), at: new Date(now), trigger: 'manual', retryAt: new Date(now) }, 'workflow retried');
  }

  /**
   * A cancel of the workflow was committed; `deadline` when it is the deadline's (it timed out, logged at `warn`
   * as a failure is); `host` is the body that stopped for it. Reads the workflow only when someone listens.
   */
  async workflowCancelled(workflowId: string, deadline: Date | undefined, host?: ObservedHost): Promise<void> {
    const level = deadline === undefined ? 'info' : 'warn';
    if (!this.hub.has('workflow.cancelled') && !this.levelEnabled(level)) return;
    const row = await this.lookup(workflowId);
    // Only a cancel that ended the workflow `cancelled` is announced (not one that finished otherwise meanwhile).
    if (row?.status !== 'cancelled') return;
    const record = host === undefined ? undefined : this.hosts.get(host);
    const base = record?.base ?? baseOf(row);
    const error = new WorkflowCancelledFailure(base.workflowId, base.workflowName, deadline);
    this.workflowEvent('workflow.cancelled', { ...base, at: this.now(), error, timedOut: error.timedOut }, deadline === undefined ? 'workflow cancelled' : 'workflow timed out', level);
  }

  /**
   * The workflow was paused (its row is committed); `host` is the body that stopped for it, absent when no
   * body ran. A NonDeterminismError pause is logged by the runner at `error`; the event's own line is `info`.
   */
  async workflowPaused(workflowId: string, host?: ObservedHost, error?: Error): Promise<void> {
    if (!this.hub.has('workflow.paused') && !this.levelEnabled('info')) return;
    const record = host === undefined ? undefined : this.hosts.get(host);
    const base = record?.base ?? (await this.lookup(workflowId).then((row) => (row === undefined ? undefined : baseOf(row))));
    if (base === undefined) return;
    const reason = error === undefined ? 'requested' : error instanceof NonDeterminismError ? 'non_determinism' : 'setup';
    this.workflowEvent('workflow.paused', { ...base, at: this.now(), reason, ...(error !== undefined ? { error } : {}) }, 'workflow paused');
  }

  /**
   * Emits `emit` once `committed` has resolved (never if it rejects) and
   * after every event of the same workflow queued before it, so events come
   * out in the order the engine reported them even when the store resolves
   * commits out of order (several connections, as on PostgreSQL).
   * Synchronous when nothing is pending.
   */
  private enqueue(workflowId: string, committed: Promise<unknown> | undefined, emit: () => void): void {
    const previous = this.tails.get(workflowId);
    if (previous === undefined && committed === undefined) {
      emit();
      return;
    }
    const tail = (previous ?? Promise.resolve())
      .then(() => committed)
      .then(emit, () => undefined);
    this.tails.set(workflowId, tail);
    void tail.then(() => {
      if (this.tails.get(workflowId) === tail) this.tails.delete(workflowId);
    });
  }

  /** An attempt of a step (or a compensation) was asked to begin; `started` is the write of its row. */
  attempt(host: ObservedHost, step: ObservedStep, started: Promise<void> | undefined, startedAt?: number): AttemptObservation {
    const names = step.kind === 'compensation' ? COMPENSATION_EVENTS : STEP_EVENTS;
    const tracing = tracingEnabled();
    const debug = this.levelEnabled('debug');
    const wanted = tracing || debug || this.levelEnabled('info') || this.hub.has(names.started) || this.hub.has(names.completed) || this.hub.has(names.failed);
    if (!wanted) return NOOP_ATTEMPT;
    const record = this.record(host);
    const observed = new ObservedAttempt(this, record, step, names, startedAt ?? this.clock.now());
    if (tracing) observed.span = startSpan(this.tracer, `${step.kind} ${step.name}`, observed.startedAt, spanAttributes(record.base, step), record.span);
    if (debug || this.hub.has(names.started)) this.enqueue(record.base.workflowId, started, () => observed.emitStarted());
    return observed;
  }

  /** A side effect's value was recorded (its only attempt, committed). */
  sideEffectRecorded(host: ObservedHost, stepId: string, name: string, startedAt: number, endedAt: number): void {
    this.attempt(host, { kind: 'sideEffect', stepId, name, attempt: 1 }, undefined, startedAt).completed(endedAt);
  }

  /** A side effect threw, and its failure was recorded (it is not retried). */
  sideEffectFailed(host: ObservedHost, stepId: string, name: string, startedAt: number, endedAt: number, error: unknown): void {
    this.attempt(host, { kind: 'sideEffect', stepId, name, attempt: 1 }, undefined, startedAt).failed(error, false, endedAt);
  }

  /** @internal Queues a step or compensation event and its log line, built only when someone wants it. */
  stepEvent<K extends TempoliteEventName>(workflowId: string, name: K, build: () => TempoliteEvents[K], message: string, error?: unknown): void {
    if (!this.hub.has(name) && !this.levelEnabled(error === undefined ? 'debug' : 'info')) return;
    this.enqueue(workflowId, undefined, () => this.emitStep(name, build, message, error));
  }

  /** @internal Emits a step or compensation event and its log line now (called from the queue). */
  emitStep<K extends TempoliteEventName>(name: K, build: () => TempoliteEvents[K], message: string, error?: unknown): void {
    const level = error === undefined ? 'debug' : 'info';
    const listened = this.hub.has(name);
    const logged = this.levelEnabled(level);
    if (!listened && !logged) return;
    const event = build();
    if (listened) this.hub.emit(name, event);
    if (logged) this.log(level, event, message, error);
  }

  /** @internal The engine clock, as a Date. */
  now(): Date {
    return new Date(this.clock.now());
  }

  /** @internal The engine clock, in ms. */
  nowMs(): number {
    return this.clock.now();
  }

  private track(host: ObservedHost, spanName: string, attributes: Record<string, string | number>, startedAt = this.clock.now()): HostRecord {
    const record: HostRecord = { base: baseOfHost(host), startedAt, span: undefined };
    if (tracingEnabled()) record.span = startSpan(this.tracer, spanName, record.startedAt, { ...spanAttributes(record.base), ...attributes }, undefined);
    this.hosts.set(host, record);
    return record;
  }

  private record(host: ObservedHost): HostRecord {
    let record = this.hosts.get(host);
    if (record === undefined) {
      record = { base: baseOfHost(host), startedAt: this.clock.now(), span: undefined };
      this.hosts.set(host, record);
    }
    return record;
  }

  private finish(record: HostRecord, now: number, error?: unknown): void {
    const span = record.span;
    record.span = undefined;
    if (span !== undefined) endSpan(span, now, error);
  }

  /** A terminal failure is logged at `warn`, so the default console logger shows it; the rest of the lifecycle at `info`. */
  private workflowEvent<K extends TempoliteEventName>(name: K, event: TempoliteEvents[K] & WorkflowEventBase, message: string, level: LogLevel = 'info'): void {
    if (!this.hub.has(name) && !this.levelEnabled(level)) return;
    this.enqueue(event.workflowId, undefined, () => this.emitWorkflow(name, event, message, level));
  }

  private emitWorkflow<K extends TempoliteEventName>(name: K, event: TempoliteEvents[K], message: string, level: LogLevel = 'info'): void {
    this.hub.emit(name, event);
    if (this.levelEnabled(level)) this.log(level, event, message, 'error' in event ? event.error : undefined);
  }

  private log(level: LogLevel, event: object, message: string, error: unknown): void {
    const { at: _at, error: _error, ...fields } = event as { at?: Date; error?: unknown };
    this.logger[level](error === undefined ? fields : { ...fields, err: error }, message);
  }

  /** The built-in loggers drop debug and info; a pino logger says what its level lets through. */
  private levelEnabled(level: LogLevel): boolean {
    if (this.logger === silentLogger) return false;
    if (this.logger === consoleLogger) return level === 'warn';
    const check = (this.logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
    return typeof check === 'function' ? check.call(this.logger, level) : true;
  }
}

/** One observed attempt: its span (when tracing) and its events, built only when wanted. */
class ObservedAttempt implements AttemptObservation {
  span: Span | undefined;

  constructor(
    private readonly observer: Observer,
    private readonly record: HostRecord,
    private readonly step: ObservedStep,
    private readonly names: typeof STEP_EVENTS | typeof COMPENSATION_EVENTS,
    readonly startedAt: number,
  ) {}

  run<T>(fn: () => T): T {
    return this.span === undefined ? fn() : withSpan(this.span, fn);
  }

  /** Called by the observer's queue, once the start record is committed. */
  emitStarted(): void {
    this.observer.emitStep(this.names.started, () => this.base(), this.step.kind === 'compensation' ? 'compensation started' : 'step started');
  }

  completed(endedAt = this.observer.nowMs()): void {
    const now = endedAt;
    this.observer.stepEvent(this.record.base.workflowId, this.names.completed, () => ({ ...this.base(), durationMs: now - this.startedAt }), this.step.kind === 'compensation' ? 'compensation completed' : 'step completed');
    if (this.span !== undefined) endSpan(this.span, now);
  }

  failed(error: unknown, willRetry: boolean, endedAt = this.observer.nowMs()): void {
    const now = endedAt;
    this.observer.stepEvent(
      this.record.base.workflowId,
      this.names.failed,
      () => ({ ...this.base(), error: thrownAsError(error), durationMs: now - this.startedAt, willRetry }),
      this.step.kind === 'compensation' ? 'compensation attempt failed' : 'step attempt failed',
      error,
    );
    if (this.span !== undefined) endSpan(this.span, now, error);
  }

  interrupted(): void {
    if (this.span !== undefined) endSpan(this.span, this.observer.nowMs());
  }

  /** The step fields of the event; compensation events carry no `kind` (they are always about a saga step). */
  private base(): StepEventBase {
    const { kind, stepId, name, attempt } = this.step;
    const event = { ...this.record.base, at: this.observer.now(), stepId, name, attempt };
    return kind === 'compensation' ? (event as StepEventBase) : { ...event, kind };
  }
}

/** An attempt observation that does nothing. */
export function noAttempt(): AttemptObservation {
  return NOOP_ATTEMPT;
}

function baseOf(row: WorkflowRow): WorkflowEventBase {
  return { workflowId: row.id, runId: row.runId, workflowName: row.name, ...(row.parentId !== null ? { parentId: row.parentId } : {}), at: new Date(0) };
}

function baseOfHost(host: ObservedHost): WorkflowEventBase & { readonly executionId: string } {
  const parentId = host.workflow?.parentId ?? null;
  return {
    workflowId: host.info.workflowId,
    runId: host.info.runId ?? '',
    workflowName: host.info.workflowName,
    executionId: host.info.executionId,
    ...(parentId !== null ? { parentId } : {}),
    at: new Date(0),
  };
}

function spanAttributes(base: WorkflowEventBase, step?: ObservedStep): Record<string, string | number> {
  return {
    'tempolite.workflow.id': base.workflowId,
    'tempolite.workflow.name': base.workflowName,
    'tempolite.run.id': base.runId,
    ...(base.executionId !== undefined ? { 'tempolite.execution.id': base.executionId } : {}),
    ...(step ? { 'tempolite.step.id': step.stepId, 'tempolite.step.kind': step.kind, 'tempolite.step.name': step.name, 'tempolite.step.attempt': step.attempt } : {}),
  };
}
