import type { EngineDeps } from '../engine-deps.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';

/** Re-reads the cancel and pause requests of bodies this engine runs; see `startControlWatch`. */
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
 * activities and in-memory waits, not only the next step boundary.
 */
export function startControlWatch(deps: EngineDeps, active: ReadonlySet<WorkflowRuntime>, intervalMs: number): ControlWatch {
  const { store, logger } = deps;
  const read = async (only: ReadonlySet<string> | undefined): Promise<void> => {
    // A compensation phase is how a cancel ends (a request left on its task must not stop it); a cancel is final.
    const watched = [...active].filter(
      (runtime) => !runtime.bodyEnded && runtime.workflow.status !== 'compensating' && runtime.controlRequest !== 'cancel' && (only === undefined || only.has(runtime.info.workflowId)),
    );
    if (watched.length === 0) return;
    const asked = watched.map((runtime) => runtime.controlRequest);
    const requests = await store.control.requestedControls([...new Set(watched.map((runtime) => runtime.info.workflowId))]);
    watched.forEach((runtime, index) => {
      const action = requests.get(runtime.info.workflowId);
      // A request this engine made while the read ran is newer than what the read saw.
      if (runtime.controlRequest === asked[index] && action !== asked[index]) runtime.requestControl(action);
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
