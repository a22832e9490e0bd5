import type { StepCallOptions } from '../../context/ambient.js';
import { InvalidOptionsError } from '../../errors.js';
import type { Definition } from '../../registry/definitions.js';
import { resolveRetryPolicy } from '../retry-policy.js';
import { attemptTimeoutMs } from './attempt-deadline.js';
import { isStorableText, NOT_STORABLE } from '../../store/storable-text.js';

type StepOption = Exclude<keyof StepCallOptions, 'givenBy'>;

const BUILDER_METHOD: Readonly<Record<Exclude<StepOption, 'id'>, string>> = { retry: 'withRetry', timeout: 'withTimeout', queue: 'withQueue' };

const APPLIES: Readonly<Record<Definition['kind'], readonly StepOption[]>> = {
  activity: ['id', 'retry', 'timeout'],
  saga: ['id', 'retry', 'timeout'],
  sideEffect: ['id'],
  workflow: ['id', 'queue'],
};

const KIND: Readonly<Record<Definition['kind'], string>> = { activity: 'an activity', saga: 'a saga step', sideEffect: 'a side effect', workflow: 'a child workflow' };

/**
 * Refuses a builder option the called step cannot use (a retry policy for a side effect, a queue for an
 * activity), which would otherwise be dropped without a word, and a malformed one, before the call takes a
 * step id: fixing the value in a later deployment then shifts no step id.
 * @throws InvalidOptionsError naming the builder method
 */
export function assertOptionsApply(definition: Definition, options: StepCallOptions): void {
  for (const key of Object.keys(BUILDER_METHOD) as (keyof typeof BUILDER_METHOD)[]) {
    if (options[key] === undefined || APPLIES[definition.kind].includes(key)) continue;
    const usable = APPLIES[definition.kind].map((k) => (k === 'id' ? 'withId' : BUILDER_METHOD[k])).join(', ');
    throw new InvalidOptionsError(`workflowContext().${BUILDER_METHOD[key]}()`, key, `does not apply to ${KIND[definition.kind]} ("${definition.name}"); it takes ${usable}`);
  }
  if (options.retry !== undefined) resolveRetryPolicy(options.retry, definition.retry, 'workflowContext().withRetry()', 'step');
  if (options.timeout !== undefined) attemptTimeoutMs(options.timeout, 'workflowContext().withTimeout()');
  if (typeof options.queue === 'string' && !isStorableText(options.queue)) throw new InvalidOptionsError(options.givenBy ?? 'workflowContext().withQueue()', 'queue', NOT_STORABLE);
}
