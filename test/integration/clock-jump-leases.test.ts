import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock, Workflow } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

class Jumped {
  static runs = new Map<number, number>();
  @Workflow({ name: 'jumped.run' }) async run(i: number): Promise<number> {
    Jumped.runs.set(i, (Jumped.runs.get(i) ?? 0) + 1);
    return i;
  }
}

describe('a TestClock jump longer than leaseMs', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it("does not make the engine take its own running workflows again (a claim's lease stamped before the jump is renewed too)", async () => {
    Jumped.runs = new Map();
    const clock = new TestClock();
    const started = await startEngine({ register: [Jumped], clock, leaseMs: 30_000 });
    dispose = started.dispose;
    const completed = new Map<string, number>();
    started.engine.on('workflow.completed', (event) => completed.set(event.workflowId, (completed.get(event.workflowId) ?? 0) + 1));
    const starts: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      // Not awaited before the jump: the claim that the start makes is still queued when the clock moves.
      starts.push(started.engine.startWorkflow(Jumped, 'run', [i], { id: `jumped-${i}` }).then((handle) => handle.result()));
      clock.advance('5m');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(starts)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect([...Jumped.runs.values()].filter((n) => n !== 1)).toEqual([]);
    for (const summary of await started.engine.list({ limit: 1000 })) {
      const description = await (await started.engine.getHandle(summary.workflowId)).describe();
      expect(description.executions.map((e) => e.reason), summary.workflowId).toEqual(['start']);
    }
    expect([...completed.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
