import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Activity, Tempolite, Workflow, activityContext, silentLogger } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { tempDatabase } from '../helpers/temp-db.js';

class Place {
  static order: string[] = [];
  static holding = true;
  @Activity({ name: 'place.work' }) async work(key: string): Promise<string> {
    Place.order.push(key);
    const { signal } = activityContext();
    // The first run of "first" holds the queue's only slot until the engine closes.
    if (key === 'first' && Place.holding) {
      Place.holding = false;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      throw signal.reason;
    }
    return key;
  }
  @Workflow({ name: 'place.job' }) async job(key: string): Promise<string> {
    return this.work(key);
  }
}

describe('a workflow a closing engine stopped', () => {
  it('is taken again before the work that became due while it ran (it keeps its place in its queue)', async () => {
    Place.order = [];
    Place.holding = true;
    const temp = tempDatabase();
    const options = { database: temp.file, register: [Place], logger: silentLogger, pollIntervalMs: 50, queues: { default: { concurrency: 1 } } };
    try {
      const engine = new Tempolite(options);
      await engine.start();
      await engine.startWorkflow(Place, 'job', ['first'], { id: 'first' });
      await eventually(() => Place.order.length === 1, 'the first workflow to run');
      for (let i = 0; i < 5; i++) await engine.startWorkflow(Place, 'job', [`later-${i}`], { id: `later-${i}` });
      await engine.close();

      const next = new Tempolite(options);
      await next.start();
      try {
        expect(await (await next.getHandle('first')).result()).toBe('first');
        await eventually(() => Place.order.length === 7, 'every workflow to run');
        expect(Place.order).toEqual(['first', 'first', 'later-0', 'later-1', 'later-2', 'later-3', 'later-4']);
      } finally {
        await next.close();
      }
      expect(await checkConsistency(temp.file)).toEqual([]);
    } finally {
      await temp.cleanup();
    }
  });
});
