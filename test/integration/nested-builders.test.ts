import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, Workflow, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

class Nested {
  static attempts = 0;
  @Activity({ name: 'nested.charge', retry: { maxAttempts: 1, initialIntervalMs: 1 } }) async charge(region: string): Promise<string> {
    Nested.attempts += 1;
    if (Nested.attempts < 3) throw new Error('flaky');
    return `charged ${region}`;
  }
  /** A helper with a builder of its own, called inside the caller's builder. */
  private chargeWithRetries(region: string): Promise<string> {
    return workflowContext().withRetry({ maxAttempts: 5 }).run(() => this.charge(region));
  }
  @Workflow({ name: 'nested.job' }) async job(): Promise<string> {
    return workflowContext().withId('charge-eu').run(() => this.chargeWithRetries('eu'));
  }
}

describe("a builder's run() inside another builder's run()", () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('gives the one step call the options of both (the inner one winning a field both set)', async () => {
    Nested.attempts = 0;
    const started = await startEngine({ register: [Nested] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Nested, 'job', [], { id: 'nested' });
    expect(await handle.result()).toBe('charged eu');
    const [step] = (await handle.describe()).steps;
    expect(step).toMatchObject({ stepId: 'charge-eu', status: 'completed', attempts: 3 });
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
