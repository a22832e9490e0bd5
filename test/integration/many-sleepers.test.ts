import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock, Workflow, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { onPostgres } from '../helpers/test-store.js';
import { statusCounts } from '../helpers/waits.js';

// On PostgreSQL every row is a round trip to a server: fewer workflows make the same point (no memory while asleep).
const COUNT = onPostgres ? 2_000 : 10_000;

class Sleeper {
  @Workflow({ name: 'many.sleeper' }) async run(n: number): Promise<number> {
    await workflowContext().sleep('1d');
    return n * 2;
  }
}

describe(`${COUNT} sleeping workflows`, () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('hold no memory while they sleep a day, and all wake and complete when time is skipped', async () => {
    const clock = new TestClock();
    // durability 'normal': the test is about memory and waking, not fsyncs.
    const started = await startEngine({ register: [Sleeper], clock, durability: 'normal', queues: { default: { concurrency: 500 } } });
    dispose = started.dispose;
    const { engine, file } = started;

    const handles = await Promise.all(Array.from({ length: COUNT }, (_, n) => engine.startWorkflow(Sleeper, 'run', [n], { id: `sleeper-${n}` })));
    await eventually(async () => (await statusCounts(file)).waiting === COUNT, 'every workflow to reach its sleep', 50_000, 50);
    // The count of bodies the engine holds, not a timing: a sleeping workflow costs rows, not memory.
    expect(engine.inMemoryCount).toBe(0);
    expect(clock.pendingSleeps).toBe(0);

    clock.advance('1d');
    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(results.reduce((sum, value) => sum + value, 0)).toBe(COUNT * (COUNT - 1));
    expect((await statusCounts(file))).toEqual({ completed: COUNT });
    expect(engine.inMemoryCount).toBe(0);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
