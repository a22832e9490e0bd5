import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CrashFlow } from '../fixtures/crash-flow.js';
import { startEngine } from '../helpers/engine.js';
import { killAtMarker } from '../helpers/kill-at-marker.js';
import { tempDatabase } from '../helpers/temp-db.js';

describe('crash recovery', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('resumes a workflow whose process was SIGKILLed between two steps; completed steps do not run again', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const ledger = join(temp.dir, 'ledger.txt');
    const marker = join(temp.dir, 'marker.txt');
    writeFileSync(ledger, '');

    expect(await killAtMarker('crash-worker', [temp.file, ledger, marker], marker, 'the child to finish the first step')).toBe('SIGKILL');
    const tokenBeforeCrash = readFileSync(marker, 'utf8');
    expect(readFileSync(ledger, 'utf8')).toBe('first\n');

    CrashFlow.ledger = ledger;
    CrashFlow.afterFirst = undefined;
    const { engine, dispose } = await startEngine({ register: [CrashFlow] }, temp.file);
    cleanups.push(dispose);
    const handle = await engine.getHandle<{ token: string; value: string }>('crash-1');
    const result = await handle.result();

    expect(result).toEqual({ token: tokenBeforeCrash, value: 'x:1:2:3' });
    expect(readFileSync(ledger, 'utf8')).toBe('first\nsecond\nthird\n');
    const description = await handle.describe();
    expect(description.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'interrupted'],
      ['recovery', 'completed'],
    ]);
    expect(description.steps.every((s) => s.status === 'completed')).toBe(true);
    expect(description.steps.find((s) => s.name === 'crash.first')?.executions).toHaveLength(1);
  });

  it('an activity killed in its first statement, before its start could be committed, runs again with the same idempotency key', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const ledger = join(temp.dir, 'ledger.txt');
    const marker = join(temp.dir, 'marker.txt');
    writeFileSync(ledger, '');

    expect(await killAtMarker('crash-worker', [temp.file, ledger, marker, 'in-second'], marker, 'the child to enter the second activity')).toBe('SIGKILL');
    const keyBeforeCrash = readFileSync(marker, 'utf8');
    CrashFlow.ledger = ledger;
    CrashFlow.afterFirst = undefined;
    const keys: string[] = [];
    CrashFlow.inSecond = (key) => keys.push(key);
    cleanups.push(() => {
      CrashFlow.inSecond = undefined;
    });
    const { engine, dispose } = await startEngine({ register: [CrashFlow] }, temp.file);
    cleanups.push(dispose);
    expect((await (await engine.getHandle<{ token: string; value: string }>('crash-1')).result()).value).toBe('x:1:2:3');
    expect(keys).toEqual([keyBeforeCrash]);
    expect(readFileSync(ledger, 'utf8')).toBe('first\nsecond\nthird\n');
  });
});
