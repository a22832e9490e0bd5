import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { registerActivity, registerWorkflow, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { onPostgres, tempDatabase } from '../helpers/test-store.js';

const quote = registerActivity('dedicated.quote', async (item: string) => `${item}: 42`);
const pricing = registerWorkflow('dedicated.pricing', async (item: string) => quote(item), { queue: 'pricing' });
const order = registerWorkflow('dedicated.order', async (item: string) => `priced ${await pricing(item)} in ${workflowContext().workflowId}`);
const ping = registerWorkflow('dedicated.ping', async () => 'pong');
const REGISTER = [quote, pricing, order, ping];

describe('a queue this engine starts but does not run (workerConcurrency: 0)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('its workflows wait for an engine that runs the queue; the parent gets the child result once one does', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const front = await startEngine({ register: REGISTER, queues: { pricing: { concurrency: 4, workerConcurrency: 0 } } }, temp.file);
    let frontOpen = true;
    cleanups.push(async () => {
      if (frontOpen) await front.engine.close();
    });
    const parent = await front.engine.startWorkflow(order, ['tea'], { id: 'order-1' });
    await eventually(async () => (await parent.status()) === 'waiting', 'the parent waiting for its child');
    const [child] = (await parent.describe()).children;
    // The front engine keeps claiming its other queues, never this one.
    expect(await (await front.engine.startWorkflow(ping, [])).result()).toBe('pong');
    expect(await (await front.engine.getHandle(child!.workflowId)).status()).toBe('pending');

    // SQLite has one worker engine per file: the pricing worker takes over when the front one stops.
    if (!onPostgres) {
      await front.engine.close();
      frontOpen = false;
    }
    const worker = await startEngine({ register: REGISTER, queues: { pricing: { concurrency: 4 } } }, temp.file);
    cleanups.push(() => worker.engine.close());
    expect(await (await worker.engine.getHandle('order-1')).result()).toBe('priced tea: 42 in order-1');
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
