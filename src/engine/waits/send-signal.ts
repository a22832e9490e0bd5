import { InvalidOptionsError } from '../../errors.js';
import { runtimesOf, type ControlContext } from '../control/control-context.js';
import { newId } from '../ids.js';
import { assertSignalName } from './signal-names.js';
import { signalKey } from '../../client/signal-options.js';
import { notifySignalWaits } from './signal-step.js';

/**
 * Stores a signal for a workflow and wakes it: a suspended workflow becomes
 * due now, a body waiting in memory here re-checks at once, and a body
 * running here that suspends later runs again at once (the task's wake-up
 * counter moved), so no signal waits for nothing. A paused workflow keeps the
 * signal buffered until it is resumed.
 * With an idempotency key the workflow has a signal with already, stores nothing and resolves false.
 * @throws InvalidOptionsError for a bad name or options; SerializationError / PayloadTooLargeError for the payload (nothing written);
 *   WorkflowNotFoundError (also when `runId`, a handle's, is no longer the id's run); InvalidStateError when the workflow has finished
 */
export async function sendSignal(context: ControlContext, workflowId: string, name: string, payload: unknown, options?: unknown, runId?: string): Promise<boolean> {
  const { store, payloads, clock } = context.deps;
  if (typeof workflowId !== 'string' || workflowId.length === 0) throw new InvalidOptionsError('signal()', 'workflowId', 'must be a non-empty string');
  const subject = `signal() to workflow "${workflowId}"`;
  assertSignalName(name, subject);
  const idempotencyKey = signalKey(options, subject);
  const signalName = name;
  const encoded = payloads.encode(payload, { description: `payload of signal "${signalName}" to workflow "${workflowId}"`, workflowId });
  const sent = await store.waits.sendSignal({ id: newId(), workflowId, name: signalName, payload: encoded, ...(idempotencyKey === undefined ? {} : { idempotencyKey }), ...(runId === undefined ? {} : { runId }), now: clock.now() });
  if (!sent.stored) return false;
  if (sent.queue !== undefined) context.deps.poke(sent.queue);
  for (const runtime of runtimesOf(context, workflowId)) notifySignalWaits(runtime);
  return true;
}
