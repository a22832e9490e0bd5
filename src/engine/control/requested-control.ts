import type { ControlAction } from '../../store/control-store.js';
import type { WorkflowRow } from '../../store/rows.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';
import { endCancelled } from './cancel.js';
import type { ControlContext } from './control-context.js';
import { endPaused } from './pause.js';

/**
 * Applies, before the body is entered, a cancel or pause recorded on the task
 * of a workflow just claimed (asked while a body ran that then suspended, or
 * in another process). The caller reads `action` synchronously at claim time.
 */
export async function applyAtEntry(context: ControlContext, workflow: WorkflowRow, action: ControlAction): Promise<void> {
  if (action === 'cancel') await endCancelled(context, workflow);
  else await endPaused(context, workflow);
}

/** Ends the execution of a body that stopped at a step boundary for a cancel or a pause. */
export async function endForControl(context: ControlContext, runtime: WorkflowRuntime, action: ControlAction): Promise<void> {
  if (action === 'cancel') await endCancelled(context, { id: runtime.info.workflowId, name: runtime.info.workflowName }, runtime);
  else await endPaused(context, runtime.workflow, runtime);
}
