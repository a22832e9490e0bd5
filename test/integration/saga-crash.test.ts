import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowFailure, activityContext, rootCause } from '../../src/index.js';
import { SagaCrashFlow } from '../fixtures/saga-crash-flow.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { Latch } from '../helpers/latch.js';
import { killAtMarker } from '../helpers/kill-at-marker.js';
import { tempDatabase } from '../helpers/temp-db.js';

describe('saga crash safety', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a process SIGKILLed while compensating: the next engine finishes the remaining compensations; finished ones do not run again', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const ledger = join(temp.dir, 'ledger.txt');
    const marker = join(temp.dir, 'marker.txt');
    writeFileSync(ledger, '');

    expect(await killAtMarker('saga-crash-worker', [temp.file, ledger, marker], marker, 'the child to be in the middle of compensating b')).toBe('SIGKILL');
    expect(readFileSync(ledger, 'utf8')).toBe('undo trip:c\nundo trip:b\n');

    SagaCrashFlow.ledger = ledger;
    SagaCrashFlow.duringUndoB = undefined;
    const { engine, dispose } = await startEngine({ register: [SagaCrashFlow] }, temp.file);
    cleanups.push(dispose);
    const handle = await engine.getHandle('saga-crash-1');
    const error = await handle.result().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorkflowFailure);
    expect(rootCause(error)).toMatchObject({ message: 'payment declined' });
    // c was compensated before the crash and is not compensated again; b's cut-short attempt is repeated (at-least-once).
    expect(readFileSync(ledger, 'utf8')).toBe('undo trip:c\nundo trip:b\nundo trip:b\nundo trip:a\n');
    const d = await handle.describe();
    expect(d.status).toBe('compensated');
    expect(d.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['compensate', 'interrupted'],
      ['compensate', 'completed'],
    ]);
    const compensations = (stepId: string): string[] =>
      d.steps
        .find((s) => s.stepId === stepId)!
        .executions.filter((e) => e.kind === 'compensation')
        .map((e) => `${e.attempt} ${e.status}`);
    expect(compensations('sagacrash.c#0')).toEqual(['1 completed']);
    expect(compensations('sagacrash.b#0')).toEqual(['1 interrupted', '1 completed']);
    expect(compensations('sagacrash.a#0')).toEqual(['1 completed']);
    // Transactions were never run again by the recovery.
    expect(d.steps.filter((s) => s.kind === 'saga').every((s) => s.executions.filter((e) => e.kind === 'transaction').length === 1)).toBe(true);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('engine.close() while compensating stops at a boundary; the next engine resumes the compensations', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const ledger = join(temp.dir, 'ledger.txt');
    writeFileSync(ledger, '');
    SagaCrashFlow.ledger = ledger;
    const inUndoB = new Latch();
    // The compensation of b waits until the closing engine aborts it.
    SagaCrashFlow.duringUndoB = async () => {
      const signal = activityContext().signal;
      inUndoB.open();
      await new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('engine closing')), { once: true }));
    };
    const first = await startEngine({ register: [SagaCrashFlow] }, temp.file);
    await first.engine.startWorkflow(SagaCrashFlow, 'run', ['trip'], { id: 'saga-close-1' });
    await inUndoB.wait();
    await first.engine.close();
    expect(readFileSync(ledger, 'utf8')).toBe('undo trip:c\nundo trip:b\n');

    SagaCrashFlow.duringUndoB = undefined;
    const second = await startEngine({ register: [SagaCrashFlow] }, temp.file);
    cleanups.push(second.dispose);
    const handle = await second.engine.getHandle('saga-close-1');
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(readFileSync(ledger, 'utf8')).toBe('undo trip:c\nundo trip:b\nundo trip:b\nundo trip:a\n');
    const d = await handle.describe();
    expect(d.status).toBe('compensated');
    expect(d.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['compensate', 'interrupted'],
      ['compensate', 'completed'],
    ]);
    const b = d.steps.find((s) => s.stepId === 'sagacrash.b#0')!;
    // Stopped from outside, the cut-short attempt does not count: the next one is attempt 1 again.
    expect(b.executions.filter((e) => e.kind === 'compensation').map((e) => `${e.attempt} ${e.status}`)).toEqual(['1 interrupted', '1 completed']);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
