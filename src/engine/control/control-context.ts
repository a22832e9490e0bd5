import type { EngineDeps } from '../engine-deps.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';

/** What signal, cancel, pause and resume need from a started engine. */
export interface ControlContext {
  readonly deps: EngineDeps;
  /** The runner's bodies (and compensation phases) running in this process now. */
  readonly active: Set<WorkflowRuntime>;
  /** Wakes the `result()` waiters of a workflow that reached a terminal status. */
  readonly onFinished: (workflowId: string) => void;
}

/** The runtimes of `workflowId` this process runs now (at most one body, plus a compensation phase). */
export function runtimesOf(context: ControlContext, workflowId: string): WorkflowRuntime[] {
  return [...context.active].filter((runtime) => runtime.info.workflowId === workflowId);
}
