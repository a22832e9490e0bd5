import { DueTaskIndex1764600000000 } from './due-task-index.js';
import { InitialSchema1763800000000 } from './initial-schema.js';
import { SignalConsumedIndex1764800000000 } from './signal-consumed-index.js';
import { SignalIdempotencyKey1764900000000 } from './signal-idempotency-key.js';
import { SignalWaitNames1765000000000 } from './signal-wait-names.js';
import { WorkflowDeadline1764700000000 } from './workflow-deadline.js';

export { DueTaskIndex1764600000000 } from './due-task-index.js';
export { InitialSchema1763800000000 } from './initial-schema.js';
export { SignalConsumedIndex1764800000000 } from './signal-consumed-index.js';
export { SignalIdempotencyKey1764900000000 } from './signal-idempotency-key.js';
export { SignalWaitNames1765000000000 } from './signal-wait-names.js';
export { WorkflowDeadline1764700000000 } from './workflow-deadline.js';

/** Every Tempolite migration, oldest first. Append only: released migrations never change. */
export const TEMPOLITE_MIGRATIONS = [InitialSchema1763800000000, DueTaskIndex1764600000000, WorkflowDeadline1764700000000, SignalConsumedIndex1764800000000, SignalIdempotencyKey1764900000000, SignalWaitNames1765000000000];
