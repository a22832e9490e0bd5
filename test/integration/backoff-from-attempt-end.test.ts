import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, Saga, TestClock, Workflow, type Tempolite } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

class Backoff {
  static calls = 0;
  static undos = 0;
  @Activity({ name: 'backoff.charge', retry: { maxAttempts: 3, initialIntervalMs: 3_600_000 } }) async charge(): Promise<string> {
    Backoff.calls += 1;
    if (Backoff.calls === 1) throw new Error('flaky');
    return 'charged';
  }
  @Workflow({ name: 'backoff.job' }) async job(): Promise<string> {
    return this.charge();
  }

  @Saga({ name: 'backoff.book', compensate: 'unbook' }) async book(): Promise<string> {
    return 'booked';
  }
  async unbook(): Promise<void> {
    Backoff.undos += 1;
    if (Backoff.undos === 1) throw new Error('flaky undo');
  }
  @Activity({ name: 'backoff.fail', retry: { maxAttempts: 1 } }) async fail(): Promise<void> {
    throw new Error('declined');
  }
  @Workflow({ name: 'backoff.saga' }) async saga(): Promise<void> {
    await this.book();
    await this.fail();
  }
}

/** Advances the test clock by each retry's backoff as soon as the failed attempt is reported, as a test would. */
function advanceOnFailure(engine: Tempolite, clock: TestClock): void {
  engine.on('step.failed', (event) => {
    if (event.willRetry) clock.advance('1h');
  });
  engine.on('compensation.failed', (event) => {
    if (event.willRetry) clock.advance('1s');
  });
}

describe("a retry's backoff counts from the failed attempt's recorded end", () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('so moving the clock by the backoff once the failure is reported is enough (activities and compensations)', async () => {
    Backoff.calls = 0;
    Backoff.undos = 0;
    const clock = new TestClock();
    const started = await startEngine({ register: [Backoff], clock });
    dispose = started.dispose;
    advanceOnFailure(started.engine, clock);
    const handle = await started.engine.startWorkflow(Backoff, 'job', [], { id: 'backoff-job' });
    expect(await handle.result()).toBe('charged');
    const [first, second] = (await handle.describe()).steps[0]!.executions;
    expect(second!.startedAt.getTime() - first!.endedAt!.getTime()).toBe(3_600_000);

    const saga = await started.engine.startWorkflow(Backoff, 'saga', [], { id: 'backoff-saga' });
    await expect(saga.result()).rejects.toThrow(/declined/);
    expect(await saga.status()).toBe('compensated');
    expect(Backoff.undos).toBe(2);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
