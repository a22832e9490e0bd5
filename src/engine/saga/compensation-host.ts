import type { WorkflowInfo } from '../../context/ambient.js';
import type { EngineDeps } from '../engine-deps.js';

/**
 * Where compensations run: a workflow body (explicit `compensate()`) or the
 * compensation phase after a terminal failure. `WorkflowRuntime` is one; its
 * waits are durable (a long one suspends) and `boundary()` abandons the work
 * when the engine stops, exactly as for steps.
 */
export interface CompensationHost {
  readonly deps: EngineDeps;
  readonly info: Pick<WorkflowInfo, 'workflowId' | 'workflowName' | 'executionId'>;
  /** Fires when the work must stop (engine closing); running compensations see it as their AbortSignal. */
  readonly abort: AbortController;
  /** Keeps an attempt and its writes counted until they settle. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Waits `ms` (in memory, or by suspending when long). */
  wait(ms: number): Promise<void>;
  /** Abandons the work here when the engine is stopping. */
  boundary(): Promise<void>;
}
