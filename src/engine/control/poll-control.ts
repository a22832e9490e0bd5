import { performance } from 'node:perf_hooks';
import type { WorkflowRuntime } from '../workflow-runtime.js';

/** When each body last read its task's control request. */
const lastRead = new WeakMap<WorkflowRuntime, number>();

/**
 * At a step boundary: notices a cancel or pause recorded in the database by
 * another process (requests made through this engine reach the body directly).
 * One indexed read per poll interval at most, so boundaries stay cheap:
 * `undefined` when no read is due.
 */
export function pollRequestedControl(rt: WorkflowRuntime): Promise<void> | undefined {
  // A compensation phase is how a cancel ends: a request left on its task must not stop it.
  if (rt.workflow.status === 'compensating' || rt.controlRequest === 'cancel') return undefined;
  const now = performance.now();
  const last = lastRead.get(rt);
  // The runner read the request when it claimed the task: the first boundary needs no second read.
  if (last === undefined) {
    lastRead.set(rt, now);
    return undefined;
  }
  if (now - last < rt.deps.options.pollIntervalMs) return undefined;
  lastRead.set(rt, now);
  return readRequestedControl(rt);
}

async function readRequestedControl(rt: WorkflowRuntime): Promise<void> {
  const action = await rt.deps.store.control.requestedControl(rt.info.workflowId);
  if (action !== rt.controlRequest) rt.requestControl(action);
}
