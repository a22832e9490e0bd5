import type { WorkflowStatus } from '../store/statuses.js';

/** The control calls an operator makes on one workflow. */
export type ControlAction = 'retry' | 'cancel' | 'pause' | 'resume';

/**
 * Whether `action` changes a workflow that was in `before`. False where the
 * engine accepts the call and does nothing (it is idempotent there): cancelling
 * a `cancelled` or `compensating` workflow, pausing a paused one, resuming one
 * that is not paused. The statuses where the call is refused throw before this
 * matters. For the CLI and the dashboard, which report it as `changed`.
 */
export function controlChanges(action: ControlAction, before: WorkflowStatus): boolean {
  if (action === 'cancel') return before !== 'cancelled' && before !== 'compensating';
  if (action === 'pause') return before !== 'paused';
  if (action === 'resume') return before === 'paused';
  return true;
}
