import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, SideEffect, Workflow, formatRunTree, type Tempolite } from '../../src/index.js';
import { startEngine } from '../helpers/engine.js';

class Shop {
  static calls: string[] = [];
  @SideEffect() async orderNo(): Promise<string> {
    Shop.calls.push('orderNo');
    return `ORD-${Math.random()}`;
  }
  @Activity() async reserve(item: string): Promise<string> {
    Shop.calls.push('reserve');
    return `reserved ${item}`;
  }
  @Activity() async charge(amount: number): Promise<{ id: string; amount: number }> {
    Shop.calls.push('charge');
    return { id: 'ch_1', amount };
  }
  @Activity() async mail(to: string): Promise<void> {
    Shop.calls.push(`mail ${to}`);
  }
  @Workflow({ name: 'shop.order' }) async order(item: string, amount: number): Promise<{ no: string; charge: string }> {
    const no = await this.orderNo();
    await this.reserve(item);
    const charge = await this.charge(amount);
    await this.mail('ana@example.com');
    return { no, charge: charge.id };
  }
}

describe('a workflow of three activities and a side effect', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('completes and describe() shows the tree', async () => {
    const started = await startEngine({ register: [Shop] });
    dispose = started.dispose;
    const engine: Tempolite = started.engine;
    const handle = await engine.startWorkflow(Shop, 'order', ['book', 12], { id: 'order-1' });
    const result = await handle.result();
    expect(result.charge).toBe('ch_1');
    expect(result.no).toMatch(/^ORD-/);
    const d = await handle.describe();
    expect(d.status).toBe('completed');
    expect(d.steps.map((s) => [s.kind, s.stepId, s.status, s.attempts])).toEqual([
      ['sideEffect', 'Shop.orderNo#0', 'completed', 1],
      ['activity', 'Shop.reserve#0', 'completed', 1],
      ['activity', 'Shop.charge#0', 'completed', 1],
      ['activity', 'Shop.mail#0', 'completed', 1],
    ]);
    expect(d.executions).toHaveLength(1);
    const tree = formatRunTree(d);
    expect(tree).toContain('Workflow order-1 · shop.order · completed');
    console.log(tree);
  });
});
