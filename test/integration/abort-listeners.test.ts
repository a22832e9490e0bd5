import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, Workflow, activityContext } from '../../src/index.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';

class FanOut {
  static release = new Latch();
  static waiting = 0;
  @Activity({ name: 'fanout.fetch' }) async fetch(n: number): Promise<number> {
    // As fetch(url, { signal }) would: each attempt listens to its signal.
    const { signal } = activityContext();
    FanOut.waiting += 1;
    await Promise.race([FanOut.release.wait(), new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
    return n;
  }
  @Workflow({ name: 'fanout.all' }) async all(count: number): Promise<number[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => this.fetch(i)));
  }
}

describe('many steps in flight in one workflow', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('twenty activities listening to their AbortSignal at once raise no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      FanOut.release = new Latch();
      FanOut.waiting = 0;
      const started = await startEngine({ register: [FanOut] });
      dispose = started.dispose;
      const handle = await started.engine.startWorkflow(FanOut, 'all', [20]);
      await eventually(() => FanOut.waiting === 20, 'all twenty in flight');
      FanOut.release.open();
      expect(await handle.result()).toHaveLength(20);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
