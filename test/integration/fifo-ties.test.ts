import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, Workflow } from '../../src/index.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';

class Fifo {
  static gate = new Latch();
  static order: number[] = [];
  @Activity({ name: 'fifo.work' }) async work(n: number): Promise<number> {
    if (n < 0) await Fifo.gate.wait();
    else Fifo.order.push(n);
    return n;
  }
  @Workflow({ name: 'fifo.job' }) async job(n: number): Promise<number> {
    return this.work(n);
  }
}

describe('workflows of one priority due in the same millisecond', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('run in the order they were started (by their UUID v7 ids)', async () => {
    Fifo.gate = new Latch();
    Fifo.order = [];
    const started = await startEngine({ register: [Fifo], queues: { default: { concurrency: 1 } } });
    dispose = started.dispose;
    const blocker = await started.engine.startWorkflow(Fifo, 'job', [-1]);
    await eventually(async () => (await blocker.describe()).steps.length === 1, 'the blocker to hold the slot');
    const handles = await Promise.all(Array.from({ length: 60 }, (_, n) => started.engine.startWorkflow(Fifo, 'job', [n])));
    Fifo.gate.open();
    await Promise.all(handles.map((handle) => handle.result()));
    expect(Fifo.order).toEqual(Array.from({ length: 60 }, (_, n) => n));
  });
});
