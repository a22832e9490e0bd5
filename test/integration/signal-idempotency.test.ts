import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError, InvalidStateError, TestClock, Workflow, WorkflowNotFoundError, workflowContext } from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';

class Payments {
  /** The first "paid" signal, then whether another one comes within an hour. */
  @Workflow({ name: 'signal-key.settle' })
  async settle(): Promise<unknown[]> {
    const first = await workflowContext().waitForSignal<{ n: number }>('paid');
    const second = await workflowContext().waitForSignal<{ n: number }>('paid', { timeout: '1h' });
    return [first.payload, second.timedOut ? 'none' : second.payload];
  }
}

describe('signal({ idempotencyKey })', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('stores a key once per workflow: a second send resolves false and is never received, also once the workflow finished', async () => {
    const clock = new TestClock();
    const started = await startEngine({ register: [Payments], clock });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Payments, 'settle', [], { id: 'settle-1' });
    expect(await handle.signal('paid', { n: 1 }, { idempotencyKey: 'delivery-1' })).toBe(true);
    // The webhook delivered again, with whatever payload: nothing is stored.
    expect(await handle.signal('paid', { n: 2 }, { idempotencyKey: 'delivery-1' })).toBe(false);
    expect(await started.engine.signal('settle-1', 'paid', { n: 2 }, { idempotencyKey: 'delivery-1' })).toBe(false);
    await eventually(async () => (await handle.describe()).signals.some((s) => s.consumedBy !== undefined), 'the first wait');
    expect(await handle.signal('paid', { n: 3 }, { idempotencyKey: 'delivery-3' })).toBe(true);
    expect(await handle.result()).toEqual([{ n: 1 }, { n: 3 }]);
    const signals = (await handle.describe()).signals;
    expect(signals.map((s) => [s.idempotencyKey, s.payload])).toEqual([
      ['delivery-1', { n: 1 }],
      ['delivery-3', { n: 3 }],
    ]);
    // Finished: a key it has is still a duplicate (false), a new key or none is refused as any signal is.
    expect(await handle.signal('paid', { n: 4 }, { idempotencyKey: 'delivery-1' })).toBe(false);
    await expect(handle.signal('paid', { n: 5 }, { idempotencyKey: 'delivery-5' })).rejects.toBeInstanceOf(InvalidStateError);
    await expect(handle.signal('paid', { n: 6 })).rejects.toBeInstanceOf(InvalidStateError);
    // Keys belong to one workflow: another one takes the same key.
    const other = await started.engine.startWorkflow(Payments, 'settle', [], { id: 'settle-2' });
    expect(await other.signal('paid', { n: 7 }, { idempotencyKey: 'delivery-1' })).toBe(true);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('concurrent sends of one key store one signal', async () => {
    const started = await startEngine({ register: [Payments] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Payments, 'settle', [], { id: 'settle-race' });
    const sent = await Promise.all(Array.from({ length: 10 }, (_, n) => handle.signal('paid', { n }, { idempotencyKey: 'once' })));
    expect(sent.filter(Boolean)).toHaveLength(1);
    expect((await handle.describe()).signals).toHaveLength(1);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('malformed options are an InvalidOptionsError and store nothing; an unknown workflow is still a WorkflowNotFoundError', async () => {
    const started = await startEngine({ register: [Payments] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Payments, 'settle', [], { id: 'settle-bad' });
    const before = await countRows(started.file);
    for (const options of [{ idempotencyKey: '' }, { idempotencyKey: 'k'.repeat(256) }, { idempotencyKey: 42 }, { idempotencyKey: 'a\u0000b' }, { key: 'k' }, 'k', null]) {
      const error = await handle.signal('paid', { n: 0 }, options as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionsError);
    }
    expect(await countRows(started.file)).toEqual(before);
    await expect(started.engine.signal('nobody', 'paid', null, { idempotencyKey: 'k' })).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
