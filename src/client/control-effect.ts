import type { WorkflowDescription } from './description.js';

/** The control calls an operator makes on one workflow. */
export type ControlAction = 'retry' | 'cancel' | 'pause' | 'resume';

/** A workflow as a control call finds it (its description will do): its status and the cancel or pause already asked of it. */
export type ControlTarget = Pick<WorkflowDescription, 'status' | 'requested'>;

/**
 * Whether `action` changes a workflow found as `before`. False where the
 * engine accepts the call and does nothing (it is idempotent there): cancelling
 * a `cancelled` or `compensating` workflow or one already asked to cancel,
 * pausing a paused one or one already asked to pause, resuming one that is
 * neither paused nor asked to pause (a resume withdraws a pause not taken
 * yet). The statuses where the call is refused throw before this matters.
 * For the CLI and the dashboard, which report it as `changed`.
 */
export function controlChanges(action: ControlAction, before: ControlTarget): boolean {
  if (action === 'cancel') return before.status !== 'cancelled' && before.status !== 'compensating' && before.requested !== 'cancel';
  if (action === 'pause') return before.status !== 'paused' && before.requested === undefined;
  if (action === 'resume') return before.status === 'paused' || before.requested === 'pause';
  return true;
}
