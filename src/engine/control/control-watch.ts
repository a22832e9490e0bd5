import type { EngineDeps } from '../engine-deps.js';
import { notifySignalWaits } from '../waits/signal-step.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';

/** Re-reads the cancel and pause requests, and the wake-ups, of bodies this engine runs; see `startControlWatch`. */
export interface ControlWatch {
  /** Reads now, for the bodies of these workflows only (a notification named them). */
  check(workflowIds: readonly string[]): void;
  /** Stops reading; resolves once a read in flight has ended (before the store closes). */
  stop(): Promise<void>;
}

/**
 * Notices the cancels and pauses that other processes (a client-mode engine,
 * the CLI, the dashboard) record on the tasks of bodies running here: every
 * `pollIntervalMs` while any run, in one read, and at once when the store
 * pushes a change (PostgreSQL). A request made through this engine reaches its
 * body directly; this one reaches it the same way, so a cancel aborts running
 * activities and in-memory waits, not only the next step boundary. A signal
 * another process stored moves the task's wake-up counter: a body whose
 * counter moved re-checks its in-memory signal waits, as one sent here does.
 */
export function startControlWatch(deps: EngineDeps, active: ReadonlySet<WorkflowRuntime>, intervalMs: number): ControlWatch {
  const { store, logger } = deps;
  /** The wake-up counter each body's signal waits last checked against. */
  const wakeupsSeen = new WeakMap<WorkflowRuntime, number>();
  const read = async (only: ReadonlySet<string> | undefined): Promise<void> => {
    // A compensation phase is how a cancel ends (a request left on its task must not stop it); a cancel is final.
    const watched = [...active].filter(
      (runtime) => !runtime.bodyEnded && runtime.workflow.status !== 'compensating' && runtime.controlRequest !== 'cancel' && (only === undefined || only.has(runtime.info.workflowId)),
    );
    if (watched.length === 0) return;
    const asked = watched.map((runtime) => runtime.controlRequest);
    const tasks = await store.control.watchedTasks([...new Set(watched.map((runtime) => runtime.info.workflowId))]);
    watched.forEach((runtime, index) => {
      const task = tasks.get(runtime.info.workflowId);
      const action = task?.control;
      // A request this engine made while the read ran is newer than what the read saw.
      if (runtime.controlRequest === asked[index] && action !== asked[index]) runtime.requestControl(action);
      if (task !== undefined && task.wakeups > (wakeupsSeen.get(runtime) ?? runtime.wakeupsAtEntry)) {
        wakeupsSeen.set(runtime, task.wakeups);
        notifySignalWaits(runtime);
      }
    });
  };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const readLogged = (only?: ReadonlySet<string>): Promise<void> => {
    if (stopped) return Promise.resolve();
    const reading = read(only)
      .catch((error: unknown) => logger.error({ err: error }, 'reading cancel and pause requests failed'))
      .finally(() => inFlight.delete(reading));
    inFlight.add(reading);
    return reading;
  };
  const timer = setInterval(() => {
    // A read slower than the interval is not stacked on.
    if (inFlight.size === 0) void readLogged();
  }, intervalMs);
  timer.unref();
  return {
    check: (workflowIds) => void readLogged(new Set(workflowIds)),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}
