import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CrossQueueFlow } from '../fixtures/cross-queue-flow.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { killAtMarker } from '../helpers/kill-at-marker.js';
import { tempDatabase } from '../helpers/temp-db.js';

describe('crash while a parent waits on a cross-queue child', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('both complete after restart; the child exists once; its completed steps do not run again', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const ledger = join(temp.dir, 'ledger.txt');
    const marker = join(temp.dir, 'marker.txt');
    writeFileSync(ledger, '');
    expect(await killAtMarker('cross-queue-worker', [temp.file, ledger, marker], marker, 'the child workflow to reach its second step')).toBe('SIGKILL');
    expect(readFileSync(ledger, 'utf8')).toBe('first\nsecond\n');

    CrossQueueFlow.ledger = ledger;
    CrossQueueFlow.inSecondStep = undefined;
    const { engine, dispose } = await startEngine({ register: [CrossQueueFlow], queues: { side: { concurrency: 1 } } }, temp.file);
    cleanups.push(dispose);
    const handle = await engine.getHandle<string>('xq-parent');
    expect(await handle.result()).toBe('child said 50');
    // first ran once; second ran again because the kill hit during it (at-least-once).
    expect(readFileSync(ledger, 'utf8')).toBe('first\nsecond\nsecond\n');
    const d = await handle.describe();
    expect(d.children.map((c) => [c.workflowId, c.queue, c.status])).toEqual([['xq-parent/xq.child#0', 'side', 'completed']]);
    expect(await engine.list({ name: 'xq.child' })).toHaveLength(1);
    expect(d.children[0]!.steps.find((s) => s.name === 'xq.first')!.executions).toHaveLength(1);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
