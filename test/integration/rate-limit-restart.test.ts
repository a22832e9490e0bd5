import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Tempolite, TestClock, Workflow, silentLogger } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { tempDatabase } from '../helpers/temp-db.js';

class Limited {
  @Workflow({ name: 'limited.job', queue: 'mail' }) async job(n: number): Promise<number> {
    return n;
  }
}

describe("a rate-limited queue's window", () => {
  it('outlives the engine: the next engine on the database counts the claims the last one made', async () => {
    const temp = tempDatabase();
    const clock = new TestClock();
    const t0 = clock.now();
    const options = { register: [Limited], clock, logger: silentLogger, pollIntervalMs: 50, queues: { mail: { concurrency: 10, rateLimit: { limit: 3, intervalMs: 60_000 } } } };
    try {
      const first = new Tempolite({ database: temp.file, ...options });
      await first.start();
      for (let n = 0; n < 6; n++) await first.startWorkflow(Limited, 'job', [n], { id: `mail-${n}` });
      await eventually(async () => (await first.list({ status: 'completed' })).length === 3, 'the first window to be used up');
      await first.close();

      clock.advance('1s');
      const next = new Tempolite({ database: temp.file, ...options });
      await next.start();
      try {
        clock.advance('60s');
        await eventually(async () => (await next.list({ status: 'completed' })).length === 6, 'the rest to run in the next window');
        const startedAt = await Promise.all(
          Array.from({ length: 6 }, async (_, n) => (await (await next.getHandle(`mail-${n}`)).describe()).executions[0]!.startedAt.getTime() - t0),
        );
        expect(startedAt.filter((at) => at < 60_000)).toHaveLength(3);
        expect(startedAt.filter((at) => at >= 61_000)).toHaveLength(3);
      } finally {
        await next.close();
      }
      expect(await checkConsistency(temp.file)).toEqual([]);
    } finally {
      await temp.cleanup();
    }
  });
});
