import { CompensationFailure } from '../../errors.js';
import type { PayloadEncoder } from '../../store/codec.js';
import type { WorkflowStore } from '../../store/workflow-store.js';
import { reviveFailure } from '../revive-failure.js';
import { originalFailureOf } from './compensate-step.js';

/**
 * What `handle.result()` puts under its WorkflowFailure for a workflow that
 * ended `compensation_failed`: the CompensationFailure its compensation phase
 * recorded (`cause`: the compensation's error; `originalFailure`: why the
 * workflow was compensating). For any other workflow, `original` unchanged.
 */
export async function compensationOutcomeOf(store: WorkflowStore, payloads: PayloadEncoder, workflowId: string, original: Error): Promise<Error> {
  const workflow = (await store.getWorkflow(workflowId));
  if (workflow?.status !== 'compensation_failed') return original;
  const phase = (await store.executionsOf(workflowId))
    .filter((execution) => execution.reason === 'compensate' && execution.error !== null)
    .at(-1);
  if (phase?.error == null) return original;
  const recorded = reviveFailure(payloads.decodeError(phase.error));
  if (!(recorded instanceof CompensationFailure)) return original;
  const startedFrom = recorded.originalFailure ?? originalFailureOf(recorded.workflowId, recorded.stepId, original);
  return startedFrom === recorded.originalFailure
    ? recorded
    : new CompensationFailure(recorded.workflowId, recorded.stepId, recorded.sagaName, recorded.attempts, recorded.cause, startedFrom);
}
