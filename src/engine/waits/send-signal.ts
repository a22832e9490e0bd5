import { InvalidOptionsError } from '../../errors.js';
import { runtimesOf, type ControlContext } from '../control/control-context.js';
import { newId } from '../ids.js';
import { assertSignalName } from './signal-names.js';
import { notifySignalWaits } from './signal-step.js';

/**
 * Stores a signal for a workflow and wakes it: a suspended workflow becomes
 * due now, a body waiting in memory here re-checks at once, and a body
 * running here that suspends later runs again at once (the task's wake-up
 * counter moved), so no signal waits for nothing. A paused workflow keeps the
 * signal buffered until it is resumed.
 * @throws InvalidOptionsError for a bad name; SerializationError / PayloadTooLargeError for the payload (nothing written);
 *   WorkflowNotFoundError; InvalidStateError when the workflow has finished
 */
export async function sendSignal(context: ControlContext, workflowId: string, name: string, payload: unknown): Promise<void> {
  const { store, payloads, clock } = context.deps;
  if (typeof workflowId !== 'string' || workflowId.length === 0) throw new InvalidOptionsError('signal()', 'workflowId', 'must be a non-empty string');
  assertSignalName(name, `signal() to workflow "${workflowId}"`);
  const signalName = name;
  const encoded = payloads.encode(payload, { description: `payload of signal "${signalName}" to workflow "${workflowId}"`, workflowId });
  const queue = await store.waits.sendSignal({ id: newId(), workflowId, name: signalName, payload: encoded, now: clock.now() });
  if (queue !== undefined) context.deps.poke(queue);
  for (const runtime of runtimesOf(context, workflowId)) notifySignalWaits(runtime);
}
