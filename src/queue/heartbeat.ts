import { LeaseLostError } from '../errors.js';
import type { EngineDeps } from '../engine/engine-deps.js';
import type { WorkflowRuntime } from '../engine/workflow-runtime.js';

/**
 * Renews this engine's leases every `leaseMs / 3`, then looks for bodies it
 * still runs whose workflow another worker holds: this engine stalled past a
 * lease (a long GC pause, a frozen VM) and the workflow was taken over. Those
 * bodies lose it at once (their activities see their AbortSignal) instead of
 * running on until a write of theirs is refused.
 */
export function startHeartbeat(deps: EngineDeps, active: ReadonlySet<WorkflowRuntime>, leaseMs: number): NodeJS.Timeout {
  const { store, logger, workerId } = deps;
  let beating = false;
  const beat = async (): Promise<void> => {
    // Only bodies that ran before the renewal: one claimed meanwhile holds a lease the renewal did not see.
    const held = [...active].filter((runtime) => !runtime.bodyEnded);
    await store.renewLeases(workerId, deps.held(), deps.clock.now(), leaseMs);
    if (held.length === 0) return;
    const lost = new Set(await store.takenOver(workerId, held.map((runtime) => runtime.info.workflowId)));
    for (const runtime of held) {
      // A body told once (its activity may ignore its AbortSignal and run on) is not reported at every beat.
      if (!lost.has(runtime.info.workflowId) || runtime.bodyEnded || runtime.leaseLost) continue;
      const error = new LeaseLostError(runtime.info.workflowId, workerId);
      logger.warn({ err: error, workflowId: runtime.info.workflowId }, 'a workflow was taken over by another worker; its body here stops');
      runtime.loseLease(error);
    }
  };
  const timer = setInterval(() => {
    // A renewal slower than the interval is not stacked on.
    if (beating) return;
    beating = true;
    beat()
      .catch((error: unknown) => logger.error({ err: error }, 'renewing leases failed'))
      .finally(() => {
        beating = false;
      });
  }, Math.max(10, Math.floor(leaseMs / 3)));
  timer.unref();
  return timer;
}
