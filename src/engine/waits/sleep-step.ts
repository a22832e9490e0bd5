import { RESERVED_PREFIX } from '../../registry/definitions.js';
import { newId } from '../ids.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';

/** Durable name of sleep steps: their ids are `tempolite.sleep#0`, `tempolite.sleep#1`, ... */
export const SLEEP_STEP = `${RESERVED_PREFIX}sleep`;

/**
 * A durable sleep as a step: the first call records its wake time in a timer
 * row, so a re-entered body (crash, pause, long-wait suspension) waits only for
 * what is left of it. Short remainders wait in memory; longer ones than
 * `suspendAfterMs` suspend the workflow until the wake time.
 */
export async function runSleepStep(rt: WorkflowRuntime, stepId: string, ms: number): Promise<void> {
  const { store, clock, logger } = rt.deps;
  const { workflowId, generation } = rt.info;
  let timer = await rt.inCallOrder(store.waits.timerAt(workflowId, generation, stepId));
  if (timer?.status === 'fired') return;
  if (timer === undefined) {
    await rt.boundary();
    const now = clock.now();
    timer = { id: newId(), stepId, generation, wakeAt: now + ms, status: 'pending', signalNames: null };
    // Durable before the wait begins: a crash during the sleep must find the wake time, not start the sleep over.
    await rt.track(store.waits.createTimer({ id: timer.id, workflowId, generation, stepId, wakeAt: timer.wakeAt, now }));
  }
  if (timer.wakeAt > clock.now()) await rt.waitUntil(timer.wakeAt);
  // Not awaited: the mark only saves the next re-entry a clock comparison, so the body need not wait for its commit.
  rt.track(store.waits.fireTimer(timer.id)).catch((error: unknown) => logger.warn({ err: error, workflowId, stepId }, 'recording a fired timer failed'));
}
