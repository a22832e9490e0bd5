import { inject, injectable, singleton } from 'tsyringe';
import { describeWorkflow, summarize } from '../client/describe.js';
import type { WorkflowDescription, WorkflowSummary } from '../client/description.js';
import type { StartOptions } from '../client/start-options.js';
import { WorkflowHandle, type HandleBackend } from '../client/workflow-handle.js';
import { checkStartOptions } from '../client/validate-start-options.js';
import { validateListFilters } from '../client/validate-list-filters.js';
import { checkPruneOptions, type PruneOptions } from '../client/prune-options.js';
import { installOutsideStarter } from '../context/ambient.js';
import { REGISTRATION, type RegisteredFunction } from '../decorators/register-function.js';
import { tsyringeContainer } from '../di/service-container.js';
import { EventHub } from '../events/event-hub.js';
import type { TempoliteEventName, TempoliteListener } from '../events/event-types.js';
import { Observer } from '../events/observer.js';
import {
  EngineStateError,
  InvalidOptionsError,
  InvalidStateError,
  StorageError,
  UnknownQueueError,
  UnknownWorkflowError,
  WorkflowFailure,
  WorkflowIdConflictError,
  WorkflowNotFoundError,
} from '../errors.js';
import { QueueWorker } from '../queue/queue-worker.js';
import type { WorkflowDefinition } from '../registry/definitions.js';
import { allRegistrations, freeze, recordedMethod, unfreeze } from '../registry/metadata-storage.js';
import { registrationName, type Constructor, type Registration } from '../registry/registration.js';
import { Registry } from '../registry/registry.js';
import { PayloadEncoder, SuperJsonCodec } from '../store/codec.js';
import { openStore } from '../store/open-store.js';
import { shownDatabase } from '../store/postgres/pg-connection.js';
import { isTerminal, type WorkflowStatus } from '../store/statuses.js';
import type { WorkflowRow } from '../store/rows.js';
import type { ListFilter } from '../store/workflow-store.js';
import { SystemClock } from './clock.js';
import { backoffMs } from './backoff.js';
import { CompletionHub } from './completion-hub.js';
import { ResultWaits, type Ended } from './result-waits.js';
import { resultWait } from '../client/result-options.js';
import type { SignalOptions } from '../client/signal-options.js';
import { closeTimeoutMs, type CloseOptions } from './close-options.js';
import type { EngineDeps } from './engine-deps.js';
import { settledWithin } from './settled-within.js';
import { resolveOptions, type ResolvedOptions, type TempoliteOptions } from './engine-options.js';
import { guardLogger } from './guarded-logger.js';
import { newId } from './ids.js';
import { consoleLogger } from './logger.js';
import { reviveFailure } from './revive-failure.js';
import { compensationOutcomeOf } from './saga/compensation-outcome.js';
import type { AsyncMethodNames, MethodArgs, MethodResult } from './workflow-types.js';
import { WorkflowRunner } from './workflow-runner.js';
import { startScheduler, type Scheduler } from './schedule/scheduler.js';
import { startDeadlineWatch, type DeadlineWatch } from './control/deadline-watch.js';
import { startHeartbeat } from '../queue/heartbeat.js';
import { startControlWatch, type ControlWatch } from './control/control-watch.js';
import { followClockJumps } from './clock-watch.js';
import { cancelWorkflow } from './control/cancel.js';
import type { ControlContext } from './control/control-context.js';
import { pauseWorkflow, resumeWorkflow } from './control/pause.js';
import { sendSignal } from './waits/send-signal.js';
import { notifySignalWaits } from './waits/signal-step.js';

/** A result() whose read finds the database out of reach reads again after this, doubling (see `backoffMs`). */
const FIRST_UNREACHABLE_WAIT_MS = 500;

/** What a call on a closed engine gets, and a result() still waiting when it closed. */
const CLOSED_MESSAGE =
  'The engine was closed: nothing recorded is lost, and its workflows go on when an engine starts on this database again; call engine.start() to use this engine again, or wait for the result through a handle of a started engine.';

/** DI token under which the engine finds its options: `container.register(TEMPOLITE_OPTIONS, { useValue: {...} })`. */
export const TEMPOLITE_OPTIONS = Symbol.for('tempolite.options');

/** Runs deleted per transaction by `prune()`: small enough not to hold the write lock for long. */
const PRUNE_BATCH_RUNS = 200;

/** Filters of `engine.list()`. */
export interface ListOptions {
  /** Only workflows in this status (or any of these). */
  status?: WorkflowStatus | readonly WorkflowStatus[] | undefined;
  /** Only workflows of this durable name. */
  name?: string | undefined;
  /** Only workflows of this queue. */
  queue?: string | undefined;
  /** Page size. @default 100 */
  limit?: number | undefined;
  /** Rows to skip. @default 0 */
  offset?: number | undefined;
}

interface Started {
  readonly deps: EngineDeps;
  readonly runner: WorkflowRunner;
  readonly workers: Map<string, QueueWorker>;
  /** Renews this engine's leases; none in client mode. */
  readonly heartbeat: NodeJS.Timeout | undefined;
  /** Notices cancels and pauses other processes ask of bodies running here; none in client mode. */
  readonly controlWatch: ControlWatch | undefined;
  /** Cancels workflows past their deadline; none in client mode. */
  readonly deadlineWatch: DeadlineWatch | undefined;
  /** Starts the scheduled workflows at their ticks; none in client mode. */
  readonly scheduler: Scheduler | undefined;
  readonly releaseLock: () => void;
  /** Whether this engine holds the database alone (SQLite): the next one frees every lease at its start. */
  readonly exclusive: boolean;
  /** Whether this engine froze the process's registrations (it runs all of them: no `register` option). */
  readonly frozen: boolean;
  readonly uninstallStarter: () => void;
  /** Stops following a test clock's jumps (issue 5). */
  readonly unfollowClock: () => void;
}

/**
 * The Tempolite engine: opens the database, runs the workers of its queues,
 * recovers interrupted workflows, and is the client of the logical model.
 *
 * ```ts
 * container.register(TEMPOLITE_OPTIONS, { useValue: { database: './app.db' } });
 * const engine = container.resolve(Tempolite);
 * await engine.start();
 * const handle = await engine.startWorkflow(OrderService, 'placeOrder', [order], { id: `order-${order.id}` });
 * console.log(await handle.result());
 * await engine.close();
 * ```
 */
@singleton()
@injectable()
export class Tempolite {
  private readonly resolved: ResolvedOptions;
  private started: Started | undefined;
  private starting: Promise<void> | undefined;
  private readonly hub = new CompletionHub();
  private readonly results = new ResultWaits((workflowId, stop) => this.watchOutcome(workflowId, stop));
  /** Lifecycle events (issue 9): listeners may be added before `start()`. */
  private readonly events = new EventHub();
  private closing: Promise<void> | undefined;
  /** Set by `close()`, so a call on the closed engine is told that, not to start it for the first time. */
  private wasClosed = false;
  /** What this engine's handles call: the reads only a handle makes stay off the engine's public surface. */
  // A handle names one run: each call checks that the id still names it (a pruned run's id may be started again).
  private readonly handleBackend: HandleBackend = {
    waitForResult: (workflowId, runId, options) => this.waitForResult(workflowId, options, runId),
    describe: async (workflowId, runId) => {
      const description = await this.describe(workflowId);
      if (description.run.id !== runId) throw new WorkflowNotFoundError(workflowId, runId);
      return description;
    },
    status: async (workflowId, runId) => (await this.rowOfRun(workflowId, runId)).status,
    // Checked in the send's own write: signals sent at once keep the order they were sent in.
    signal: async (workflowId, runId, name, payload, options) => await sendSignal(this.controlContext(), workflowId, name, payload, options, runId),
    cancel: async (workflowId, runId) => {
      await this.rowOfRun(workflowId, runId);
      await this.cancel(workflowId);
    },
    pause: async (workflowId, runId) => {
      await this.rowOfRun(workflowId, runId);
      await this.pause(workflowId);
    },
    resume: async (workflowId, runId) => {
      await this.rowOfRun(workflowId, runId);
      await this.resume(workflowId);
    },
  };

  constructor(@inject(TEMPOLITE_OPTIONS, { isOptional: true }) private readonly options: TempoliteOptions = {}) {
    this.options = options ?? {};
    this.resolved = resolveOptions(this.options);
  }

  /** Whether `start()` has completed and `close()` has not been called (false from the moment `close()` is called). */
  get isRunning(): boolean {
    return this.started !== undefined && this.closing === undefined;
  }

  /** What `console.log(engine)` shows: its options hold secrets (a PostgreSQL password), so only these. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const where = this.resolved.dataSource !== undefined ? 'a DataSource' : shownDatabase(this.resolved.database);
    return `Tempolite { database: ${where}, running: ${String(this.isRunning)} }`;
  }

  /**
   * Listens to a lifecycle event (issue 9), e.g. `engine.on('workflow.completed', (e) => ...)`.
   * Events are emitted by the engine that did the work, after the rows they
   * report are committed; listeners run synchronously and their errors are
   * logged, never thrown into the engine. May be called before `start()`.
   * @returns a function that removes the listener
   */
  on<K extends TempoliteEventName>(event: K, listener: TempoliteListener<K>): () => void {
    return this.events.on(event, listener);
  }

  /** Removes a listener added with `on`. */
  off<K extends TempoliteEventName>(event: K, listener: TempoliteListener<K>): void {
    this.events.off(event, listener);
  }

  /**
   * Opens (and migrates, unless `migrate: false`) the database, validates and freezes the registry,
   * recovers workflows interrupted by a crash, and starts the queue workers.
   * Calling it again while started does nothing; after `close()` it starts the engine again.
   * @throws SchemaTooNewError, SchemaNotMigratedError, DatabaseInUseError, and the registry's validation errors
   */
  start(): Promise<void> {
    const closing = this.closing;
    this.starting ??= (async () => {
      await closing;
      await this.doStart();
    })().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const options = this.resolved;
    const registry = Registry.build(allRegistrations(), {
      ...(this.options.register !== undefined ? { include: this.options.register } : {}),
      queues: [...options.queues.keys()],
      defaultQueue: 'default',
    });
    // Client mode (issue 9): no process lock, so an engine with workers may run on the file meanwhile.
    const opened = await openStore({ database: options.database, synchronous: options.durability, busyTimeoutMs: options.busyTimeoutMs, lock: options.workers, ...(this.options.workerId !== undefined ? { workerId: this.options.workerId } : {}), migrate: options.migrate, ...(options.dataSource !== undefined ? { dataSource: options.dataSource } : {}) });
    const logger = guardLogger(this.options.logger ?? consoleLogger);
    this.events.logger = logger;
    const clock = this.options.clock ?? new SystemClock();
    const workers = new Map<string, QueueWorker>();
    const deps: EngineDeps = {
      store: opened.store,
      registry,
      payloads: new PayloadEncoder(this.options.codec ?? new SuperJsonCodec(), options.maxPayloadBytes),
      clock,
      logger,
      container: this.options.container ?? tsyringeContainer(),
      options,
      workerId: this.options.workerId ?? `worker-${newId()}`,
      wake: async (workflowId) => {
        const queue = await opened.store.wake(workflowId, deps.clock.now());
        if (queue !== undefined) workers.get(queue)?.poke();
      },
      poke: (queue) => workers.get(queue)?.poke(),
      held: () => [...workers.values()].flatMap((worker) => worker.heldWorkflowIds()),
      observer: new Observer(this.events, logger, clock, (id) => opened.store.getWorkflow(id)),
    };
    // Alone on the file, every lease left in it belongs to a dead process: recover now, not after expiry.
    if (opened.exclusive) await opened.store.releaseLeases(undefined);
    const names = registry.workflowNames();
    for (const unknown of options.workers ? await opened.store.unknownWorkflowNames(names) : []) {
      logger.warn({ workflowName: unknown.name, count: unknown.count }, `workflows of "${unknown.name}" are not registered in this engine; left untouched until that code is registered again`);
    }
    // Only an engine that runs every decorated class would see a later one; one with its own `register` list cannot.
    const frozen = this.options.register === undefined;
    if (frozen) freeze();
    const runner = new WorkflowRunner(deps, (id, output) => this.hub.notify(id, output));
    for (const [queue, limits] of options.workers ? options.queues : []) {
      if (limits.workerConcurrency === 0) continue;
      workers.set(
        queue,
        new QueueWorker(queue, limits, {
          store: deps.store,
          clock: deps.clock,
          logger,
          owner: deps.workerId,
          leaseMs: options.leaseMs,
          pollIntervalMs: options.pollIntervalMs,
          workflowNames: names,
          run: (id, claimedAt) => runner.run(id, claimedAt),
        }),
      );
    }
    const heartbeat = options.workers ? startHeartbeat(deps, runner.active, options.leaseMs) : undefined;
    // Client mode starts nothing on its own: the engines with workers follow the schedules.
    const scheduler = options.workers
      ? startScheduler(registry.scheduledWorkflows(), clock, logger, (definition, scheduledAt, id) => this.startDefinition(definition, [scheduledAt], { id }, this.started), options.pollIntervalMs)
      : undefined;
    const controlWatch = options.workers ? startControlWatch(deps, runner.active, options.pollIntervalMs) : undefined;
    const uninstallStarter = installOutsideStarter((registration, args) => this.startFromCall(registration, args));
    const unfollowClock = followClockJumps(deps);
    const deadlineWatch = options.workers ? startDeadlineWatch({ deps, active: runner.active, onFinished: (id) => this.hub.notify(id) }, options.pollIntervalMs) : undefined;
    this.started = { deps, runner, workers, heartbeat, controlWatch, deadlineWatch, scheduler, releaseLock: opened.release, exclusive: opened.exclusive, frozen, uninstallStarter, unfollowClock };
    for (const worker of workers.values()) worker.start();
    // Scale-out (issue 6): work made due, and outcomes reached, by other processes sharing the database (PostgreSQL).
    opened.store.listen?.({
      work: (queue) => workers.get(queue)?.poke(),
      finished: (id) => this.hub.notify(id),
      signalled: (id) => [...runner.active].filter((runtime) => runtime.info.workflowId === id).forEach(notifySignalWaits),
      controlled: (id) => controlWatch?.check([id]),
    });
  }

  /**
   * Stops gracefully: no new claims, running bodies stop at their next step
   * boundary (running activities see their AbortSignal and are awaited), leases
   * are released so the next engine resumes at once. Nothing recorded is lost.
   * A call while one is under way joins it (its options are those of the first).
   * @throws InvalidOptionsError for malformed options (the engine goes on running)
   */
  close(options?: CloseOptions): Promise<void> {
    let timeoutMs: number | undefined;
    try {
      timeoutMs = closeTimeoutMs(options) ?? this.resolved.closeTimeoutMs;
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closing === undefined) {
      // Taken now, so a start() called while this close runs starts the engine again after it, not joins the old start.
      const starting = this.starting;
      this.starting = undefined;
      this.closing = this.doClose(timeoutMs, starting).finally(() => {
        this.closing = undefined;
      });
    }
    return this.closing;
  }

  private async doClose(timeoutMs: number | undefined, starting: Promise<void> | undefined): Promise<void> {
    await starting?.catch(() => undefined);
    const started = this.started;
    if (!started) return;
    // Before the engine stops taking calls: a tick that has come is still started.
    await started.scheduler?.stop();
    this.started = undefined;
    this.wasClosed = true;
    started.uninstallStarter();
    started.unfollowClock();
    await started.deadlineWatch?.stop();
    started.runner.stopAll();
    const left = await settledWithin(Promise.all([...started.workers.values()].map((worker) => worker.stop())), timeoutMs, () => started.runner.runningWorkflowIds());
    if (left.length > 0) {
      for (const worker of started.workers.values()) worker.abandon();
      started.deps.logger.warn(
        { workflowIds: left, timeoutMs },
        `close(): ${left.length} workflow(s) did not stop within ${timeoutMs} ms (an activity not returning on its AbortSignal): closing without them; they keep their leases and are recovered as after a crash (${started.exclusive ? 'by the next engine on this file, at its start' : 'by other workers once the leases expire'}), and the activities run again there`,
      );
    }
    clearInterval(started.heartbeat);
    await started.controlWatch?.stop();
    try {
      if (started.deps.options.workers) {
        // Releasing only spares the next engine the wait for these leases to expire: a lock held elsewhere
        // must not keep this engine's connections open.
        await started.deps.store.releaseLeases(started.deps.workerId, left).catch((error: unknown) => {
          const next = started.exclusive ? 'the next engine on this file takes these workflows over at its start' : 'other workers take these workflows over when the leases expire';
          started.deps.logger.warn({ err: error }, `releasing leases at close failed: ${next}`);
        });
      }
      await started.deps.store.close();
    } finally {
      started.releaseLock();
      if (started.frozen) unfreeze();
      this.results.failAll(() => new EngineStateError(CLOSED_MESSAGE));
      this.hub.notifyAll();
    }
    // A macrotask: the callers of the result() calls just failed run their handlers (answer a 503) before close() resolves.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * Starts a workflow method durably, or returns the handle of the workflow
   * already started under `options.id`.
   * @throws UnknownWorkflowError, WorkflowIdConflictError, UnknownQueueError, InvalidOptionsError (malformed options),
   *   SerializationError / PayloadTooLargeError (the arguments), EngineStateError (the engine is not started, or closing)
   */
  startWorkflow<C extends Constructor, K extends AsyncMethodNames<InstanceType<C>>>(
    workflowClass: C,
    method: K,
    args: Readonly<MethodArgs<InstanceType<C>, K>>,
    options?: StartOptions,
  ): Promise<WorkflowHandle<MethodResult<InstanceType<C>, K>>>;
  /** Starts a workflow registered with `registerWorkflow` (the same errors as above). */
  startWorkflow<A extends unknown[], R>(workflow: RegisteredFunction<A, R>, args: Readonly<A>, options?: StartOptions): Promise<WorkflowHandle<R>>;
  async startWorkflow(target: unknown, methodOrArgs: unknown, argsOrOptions?: unknown, maybeOptions?: unknown): Promise<WorkflowHandle<unknown>> {
    const { deps } = this.require();
    let definition: WorkflowDefinition | undefined;
    let args: unknown;
    let options: StartOptions | undefined;
    if (typeof target === 'function' && REGISTRATION in target) {
      const registered = target as RegisteredFunction<unknown[], unknown>;
      const found = deps.registry.definitionOf(registered[REGISTRATION]);
      definition = found?.kind === 'workflow' ? found : undefined;
      if (!definition) throw new UnknownWorkflowError(registered.durableName, undefined, registered[REGISTRATION].kind);
      args = methodOrArgs;
      options = argsOrOptions as StartOptions | undefined;
    } else {
      const cls = target as Constructor;
      definition = typeof cls === 'function' ? deps.registry.workflowOfMethod(cls, String(methodOrArgs)) : undefined;
      if (!definition) throw new UnknownWorkflowError(`${typeof cls === 'function' ? cls.name : String(cls)}.${String(methodOrArgs)}`, undefined, recordedMethod(cls, String(methodOrArgs))?.kind);
      args = argsOrOptions;
      options = maybeOptions as StartOptions | undefined;
    }
    if (!Array.isArray(args)) throw new InvalidOptionsError(`startWorkflow("${definition.name}")`, 'args', 'must be an array of the workflow arguments');
    return this.startDefinition(definition, args, options ?? {});
  }

  /** @param engine the started engine, for the scheduler: a tick that came before close() stopped it still starts */
  private async startDefinition(definition: WorkflowDefinition, args: readonly unknown[], options: StartOptions, engine?: Started): Promise<WorkflowHandle<unknown>> {
    const { deps, workers } = engine ?? this.require();
    const subject = `startWorkflow("${definition.name}")`;
    const checked = checkStartOptions(options, subject);
    const id = checked.id ?? newId();
    const queue = checked.queue ?? definition.queue;
    // Client mode has no workers: the queue is checked against the declared ones, and a worker elsewhere polls for it.
    if (!deps.options.queues.has(queue)) throw new UnknownQueueError(queue, [...deps.options.queues.keys()]);
    const worker = workers.get(queue);
    const priority = checked.priority;
    const input = deps.payloads.encode([...args], { description: `input of workflow "${id}" (${definition.name})`, workflowId: id });
    const runId = newId();
    const now = deps.clock.now();
    const deadlineAt = checked.timeoutMs === undefined ? undefined : now + checked.timeoutMs;
    const creating = deps.store.createWorkflow({ id, runId, newRun: true, name: definition.name, queue, priority, input, ...(deadlineAt !== undefined ? { deadlineAt } : {}), now });
    // Before the create commits when the claim then joins its group commit: one commit creates and claims.
    const claimsFollow = deps.store.claimsFollowWrites;
    if (claimsFollow) worker?.poke();
    const result = await creating;
    if (!result.created) {
      if (result.existing.name !== definition.name) throw new WorkflowIdConflictError(id, result.existing.name, definition.name);
      return new WorkflowHandle(id, result.existing.runId, definition.name, this.handleBackend);
    }
    if (!claimsFollow) worker?.poke();
    return new WorkflowHandle(id, runId, definition.name, this.handleBackend);
  }

  private async startFromCall(registration: Registration, args: readonly unknown[]): Promise<unknown> {
    const definition = this.require().deps.registry.definitionOf(registration);
    if (definition?.kind !== 'workflow') throw new UnknownWorkflowError(registrationName(registration), undefined, registration.kind);
    const handle = await this.startDefinition(definition, args, {});
    return handle.result();
  }

  /**
   * The handle of an existing workflow.
   * @throws WorkflowNotFoundError
   */
  async getHandle<R = unknown>(workflowId: string): Promise<WorkflowHandle<R>> {
    const row = await this.require().deps.store.getWorkflow(workflowId);
    if (!row) throw new WorkflowNotFoundError(workflowId);
    return new WorkflowHandle<R>(row.id, row.runId, row.name, this.handleBackend);
  }

  /** Workflows, newest first, filtered by status, name and queue. */
  async list(options: ListOptions = {}): Promise<WorkflowSummary[]> {
    const { deps } = this.require();
    const limit = options.limit ?? 100;
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidOptionsError('list()', 'limit', 'must be an integer ≥ 1');
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidOptionsError('list()', 'offset', 'must be an integer ≥ 0');
    validateListFilters(options);
    const filter: ListFilter = {
      limit,
      offset,
      ...(options.status !== undefined ? { status: options.status } : {}),
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.queue !== undefined ? { queue: options.queue } : {}),
    };
    return (await deps.store.listWorkflows(filter)).map(summarize);
  }

  /**
   * Deletes finished workflows for good, with their executions, steps,
   * attempts, payloads, signals and timers: every run whose root workflow
   * finished more than `olderThan` ago (in one of `status`) and all of whose
   * workflows (children included) have finished. A run with anything still
   * going is kept whole. Deletes in transactions of a few hundred runs, so
   * running workflows are not held up. Detached workflows are runs of their
   * own, pruned by their own age.
   * @returns how many workflows were deleted
   * @throws InvalidOptionsError for a missing or malformed `olderThan`, a status that is not a finished one
   */
  async prune(options: PruneOptions): Promise<number> {
    const { deps } = this.require();
    const { olderThanMs, statuses } = checkPruneOptions(options);
    const endedBefore = deps.clock.now() - olderThanMs;
    let workflows = 0;
    for (;;) {
      const batch = await deps.store.pruneRuns({ statuses, endedBefore, limit: PRUNE_BATCH_RUNS });
      workflows += batch.workflows;
      if (batch.runs < PRUNE_BATCH_RUNS) break;
    }
    deps.logger.info({ workflows, olderThanMs }, 'pruned finished workflows');
    return workflows;
  }

  /**
   * Runs a failed workflow again from its failed step: completed steps keep
   * their results, failed ones (and failed children) get a fresh round of
   * attempts, children that ended `compensation_failed` resume their
   * compensations. A
   * `compensation_failed` workflow resumes its compensations instead: the one
   * that gave up gets a fresh round, finished ones are not run again.
   * @returns the workflow's handle
   * @throws WorkflowNotFoundError, InvalidStateError when the workflow is not `failed` or `compensation_failed`
   */
  async retry(workflowId: string): Promise<WorkflowHandle<unknown>> {
    const { deps, workers } = this.require();
    const row = (await deps.store.getWorkflow(workflowId));
    if (!row) throw new WorkflowNotFoundError(workflowId);
    // Sagas (issue 3): retrying a compensation_failed workflow resumes its compensations from the one that gave up.
    if (row.status === 'compensation_failed' && (await deps.store.reopenCompensation(workflowId, deps.clock.now()))) {
      workers.get(row.queue)?.poke();
      deps.observer?.manualRetry(row);
      return new WorkflowHandle(row.id, row.runId, row.name, this.handleBackend);
    }
    if (row.status !== 'failed') throw new InvalidStateError(workflowId, row.status, 'retry');
    await deps.store.retryWorkflow(workflowId, deps.clock.now());
    workers.get(row.queue)?.poke();
    deps.observer?.manualRetry(row);
    return new WorkflowHandle(row.id, row.runId, row.name, this.handleBackend);
  }

  /**
   * How many workflow bodies (and compensation phases) this engine holds in
   * memory now. Waiting workflows are not among them once their wait is
   * longer than `suspendAfterMs`: memory grows with running workflows, not
   * with sleeping or signal-waiting ones.
   */
  get inMemoryCount(): number {
    return this.started?.runner.active.size ?? 0;
  }

  /**
   * Sends a signal to a workflow; `workflowContext().waitForSignal(name)`
   * receives it. Signals are stored (buffered until consumed, in the order
   * sent, kept across continue-as-new and while paused) and wake a waiting workflow.
   * @returns true when stored; false when `options.idempotencyKey` is one the workflow has a signal with already
   * @throws WorkflowNotFoundError; InvalidStateError when the workflow has finished (and has no signal with the key);
   *   InvalidOptionsError for a bad name or options; SerializationError / PayloadTooLargeError for the payload (nothing is stored then)
   */
  async signal(workflowId: string, name: string, payload?: unknown, options?: SignalOptions): Promise<boolean> {
    return await sendSignal(this.controlContext(), workflowId, name, payload, options);
  }

  /**
   * Cancels a workflow and its unfinished children. A waiting, pending or
   * paused one is cancelled at once; a running one at its next step boundary,
   * its running activities seeing their AbortSignal fire. Completed saga steps
   * are compensated first (the workflow then ends `compensated` or
   * `compensation_failed`), else it ends `cancelled`. Either way `result()`
   * throws a WorkflowFailure whose `cause` is a WorkflowCancelledFailure.
   * Resolves once the cancel is recorded (a running body may still be reaching its boundary).
   * Cancelling a cancelled or compensating workflow does nothing.
   * @throws WorkflowNotFoundError; InvalidStateError when it already finished otherwise
   */
  async cancel(workflowId: string): Promise<void> {
    await cancelWorkflow(this.controlContext(), workflowId);
  }

  /**
   * Pauses a workflow at its next step boundary (at once when it waits or has
   * not started): status `paused`, its execution `paused`, no queue slot held;
   * signals keep being buffered. Steps running when the pause is asked finish
   * first. Pausing a paused workflow does nothing. Children are not paused.
   * Resolves once the pause is recorded, which may be before the body reached its boundary.
   * @throws WorkflowNotFoundError; InvalidStateError when it finished or is compensating
   */
  async pause(workflowId: string): Promise<void> {
    await pauseWorkflow(this.controlContext(), workflowId);
  }

  /**
   * Resumes a paused workflow: its body is re-entered (execution reason
   * `resume`) and completed steps return their recorded results without
   * running again. A pause not yet taken is withdrawn. Resuming a workflow
   * that is not paused does nothing.
   * @throws WorkflowNotFoundError; InvalidStateError when it finished
   */
  async resume(workflowId: string): Promise<void> {
    await resumeWorkflow(this.controlContext(), workflowId);
  }

  private controlContext(): ControlContext {
    const { deps, runner } = this.require();
    return { deps, active: runner.active, onFinished: (id) => this.hub.notify(id) };
  }

  private async describe(workflowId: string): Promise<WorkflowDescription> {
    const { deps } = this.require();
    return describeWorkflow(deps.store, deps.payloads, workflowId);
  }

  /** The workflow's row, when it is still of run `runId` (a handle's). */
  private async rowOfRun(workflowId: string, runId: string): Promise<WorkflowRow> {
    const row = await this.require().deps.store.getWorkflow(workflowId);
    if (!row) throw new WorkflowNotFoundError(workflowId);
    if (row.runId !== runId) throw new WorkflowNotFoundError(workflowId, runId);
    return row;
  }

  /** Waits for a terminal status and returns the output or throws the failure. */
  private async waitForResult(workflowId: string, options: unknown, runId: string): Promise<unknown> {
    const wait = resultWait(options);
    await this.rowOfRun(workflowId, runId);
    const ended = await this.results.wait(workflowId, wait);
    const { deps } = this.require();
    const where = { description: `outcome of workflow "${workflowId}"`, workflowId };
    // Completed in this engine: the output it just committed needs no read back.
    if ('output' in ended) return deps.payloads.decode(ended.output, where);
    const { row } = ended;
    // Pruned while this call waited, and started again.
    if (row.runId !== runId) throw new WorkflowNotFoundError(workflowId, runId);
    const data = await deps.store.getWorkflowData(workflowId);
    if (row.status === 'completed') return deps.payloads.decode(data?.output ?? '', where);
    const cause = data?.error != null ? reviveFailure(deps.payloads.decodeError(data.error)) : new Error(`workflow ended ${row.status}`);
    // Sagas (issue 3): for compensation_failed the cause is the CompensationFailure, holding the original failure too.
    throw new WorkflowFailure(workflowId, row.name, row.runId, await compensationOutcomeOf(deps.store, deps.payloads, workflowId, cause));
  }

  /** Watches a workflow until it is terminal: one loop per workflow, however many `result()` calls wait on it. */
  private async watchOutcome(workflowId: string, stop: AbortSignal): Promise<Ended | undefined> {
    let failedReads = 0;
    while (!stop.aborted) {
      const { deps } = this.require();
      let row: WorkflowRow | undefined;
      try {
        row = await deps.store.getWorkflow(workflowId);
        failedReads = 0;
      } catch (error) {
        if (!(error instanceof StorageError && error.problem === 'cannot-connect')) throw error;
        // A server out of reach (a lost connection, a restart): wait through it as the engine's own work does.
        const output = await this.hub.wait(workflowId, backoffMs(failedReads++, FIRST_UNREACHABLE_WAIT_MS), stop);
        if (output !== undefined) return { output };
        continue;
      }
      if (!row) throw new WorkflowNotFoundError(workflowId);
      if (isTerminal(row.status)) return { row };
      // A store that pushes outcomes (PostgreSQL) needs the poll only as a fallback.
      const output = await this.hub.wait(workflowId, deps.store.listen === undefined ? deps.options.pollIntervalMs : Math.max(deps.options.pollIntervalMs, 5000), stop);
      if (output !== undefined) return { output };
    }
    // Stopped: nobody waits for it any more.
    return undefined;
  }

  /** The started engine, for a client call: refused from the moment `close()` is called, as documented. */
  private require(): Started {
    if (this.started && this.closing === undefined) return this.started;
    throw new EngineStateError(
      this.closing !== undefined
        ? 'The engine is closing: nothing recorded is lost, and its workflows go on when an engine starts on this database again; call engine.start() to use this engine again once close() has resolved, or use a handle of a started engine.'
        : this.wasClosed
        ? CLOSED_MESSAGE
        : 'The engine is not started: call engine.start() first.',
    );
  }
}
