import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CompensationFailure,
  WorkflowFailure,
  registerActivity,
  registerSaga,
  registerWorkflow,
  workflowContext,
  type StepFailedEvent,
  type WorkflowCompensationFailedEvent,
} from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

const once = { maxAttempts: 1 };
const throwsValue = registerActivity('nonerror.throws', async (): Promise<string> => {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- what the test is about
  throw 'oops';
}, { retry: once });
const book = registerSaga(
  'nonerror.book',
  {
    run: async () => 'booked',
    compensate: async () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- what the test is about
      throw { code: 7 };
    },
  },
  { compensationRetry: once },
);
const failsAfterBooking = registerWorkflow('nonerror.fails', async () => {
  await book();
  await throwsValue();
});
const rollsBack = registerWorkflow('nonerror.rollsBack', async () => {
  await book();
  try {
    await workflowContext().compensate();
    return 'rolled back';
  } catch (error) {
    const cause = (error as CompensationFailure).cause as Error & { value?: unknown };
    return { isFailure: error instanceof CompensationFailure, isError: cause instanceof Error, message: cause.message, value: cause.value };
  }
});

/** The shape every copy of a thrown `{ code: 7 }` must have: an Error describing it, keeping it on `value`. */
const WRAPPED = { message: 'Non-Error value thrown: { code: 7 }', value: { code: 7 } };

describe('a value thrown that is not an Error', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('reaches a compensation failure, the stored failure, describe() and the events as the same Error keeping the value', async () => {
    const started = await startEngine({ register: [throwsValue, book, failsAfterBooking, rollsBack] });
    dispose = started.dispose;
    const stepFailed: StepFailedEvent[] = [];
    const compensationFailed: WorkflowCompensationFailedEvent[] = [];
    started.engine.on('step.failed', (event) => stepFailed.push(event));
    started.engine.on('workflow.compensation_failed', (event) => compensationFailed.push(event));

    const failed = await started.engine.startWorkflow(failsAfterBooking, [], { id: 'fails' });
    const error = await failed.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    const compensation = (error as WorkflowFailure).cause;
    expect(compensation).toBeInstanceOf(CompensationFailure);
    expect((compensation as CompensationFailure).cause).toBeInstanceOf(Error);
    expect((compensation as CompensationFailure).cause).toMatchObject(WRAPPED);
    const saga = (await failed.describe()).steps.find((s) => s.name === 'nonerror.book');
    expect(saga?.compensationError).toMatchObject(WRAPPED);

    const activityEvent = stepFailed.find((e) => e.name === 'nonerror.throws');
    expect(activityEvent?.error).toMatchObject({ message: "Non-Error value thrown: 'oops'", value: 'oops' });
    expect(compensationFailed[0]?.error).toBeInstanceOf(CompensationFailure);
    expect((compensationFailed[0]?.error as CompensationFailure).cause).toMatchObject(WRAPPED);

    const rolled = await started.engine.startWorkflow(rollsBack, [], { id: 'rolls-back' });
    expect(await rolled.result()).toEqual({ isFailure: true, isError: true, ...WRAPPED });
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
