import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../examples/demo/demo.js';
import { checkConsistency } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';

describe('examples/demo', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(() => cleanup?.());

  it('places an order, retries the flaky charge once, prints progress and the run tree; a second run on the same file works', async () => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    const lines: string[] = [];
    const first = await runDemo({ database: temp.file, log: (line) => lines.push(line) });
    const output = lines.join('\n');

    expect(first.receipt.orderNo).toMatch(/^ORD-/);
    expect(first.receipt.reservation).toBe('RSV-3-book+pen');
    expect(output).toContain('(idempotent start): true');
    expect(output).toContain('chargeCard: attempt 1');
    expect(output).toContain('chargeCard: attempt 2');
    expect(output).toMatch(/\[4\/4 done\]/);

    const tree = first.tree.split('\n');
    expect(tree[0]).toMatch(/^Run \S+ · completed$/);
    expect(tree[1]).toBe(`└── Workflow ${first.workflowId} · demo.placeOrder · completed`);
    expect(tree[2]).toMatch(/^ {4}└── Execution #1 · start · completed · \d+ ms$/);
    expect(tree.slice(3).map((line) => line.replace(/ · \d+ ms/, ''))).toEqual([
      '        ├── SideEffect demo.orderNumber#0 · completed',
      '        ├── Activity demo.reserveStock#0 · completed · 1 attempt',
      '        │   └── attempt 1 · completed',
      '        ├── Activity demo.chargeCard#0 · completed · 2 attempts',
      '        │   ├── attempt 1 · failed · GatewayTimeoutError: payment gateway timed out charging 42.50',
      '        │   └── attempt 2 · completed',
      '        └── Activity demo.sendReceipt#0 · completed · 1 attempt',
      '            └── attempt 1 · completed',
    ]);
    expect(output).toContain(first.tree);

    // `npm run demo` twice on the same file: a fresh workflow id each time.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = await runDemo({ database: temp.file, log: () => undefined });
    expect(second.workflowId).not.toBe(first.workflowId);
    expect(second.tree).toContain('Activity demo.chargeCard#0 · completed · 2 attempts');
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
