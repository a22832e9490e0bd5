import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SleepFlow } from '../fixtures/sleep-flow.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { timersOf } from '../helpers/waits.js';

const WORKER = join(import.meta.dirname, '../../dist/test/fixtures/sleep-worker.js');

describe('a durable sleep interrupted by a crash', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a 2-second sleep SIGKILLed after 1 second completes about 1 second after restart, not 2', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const child = spawn(process.execPath, [WORKER, temp.file, '2000'], { stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    cleanups.push(() => void child.kill('SIGKILL'));

    // The wake time is durable before the sleep begins; kill once half of the sleep has passed.
    const [timer] = await eventually(async () => {
      const timers = (await timersOf(temp.file, 'sleep-1'));
      return timers.length === 1 ? timers : undefined;
    }, 'the child to record the sleep');
    const wakeAt = timer!.wakeAt;
    await eventually(() => Date.now() >= wakeAt - 1000, 'one second of the sleep to pass', 5000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const restartAt = Date.now();
    const { engine, dispose } = await startEngine({ register: [SleepFlow] }, temp.file);
    cleanups.push(dispose);
    const handle = await engine.getHandle<{ wokeAt: number }>('sleep-1');
    const { wokeAt } = await handle.result();
    const finishedAt = Date.now();

    // Not restarted from zero: at most the second half of the sleep remained when the new engine started...
    expect(wakeAt - restartAt).toBeLessThanOrEqual(1000);
    expect(finishedAt - restartAt).toBeLessThan(1800);
    // ...and not cut short either: the workflow woke at the recorded wake time, not before.
    expect(wokeAt).toBeGreaterThanOrEqual(wakeAt);
    expect((await timersOf(temp.file, 'sleep-1'))).toEqual([{ stepId: 'tempolite.sleep#0', wakeAt, status: 'fired' }]);
    const description = await handle.describe();
    expect(description.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'interrupted'],
      ['recovery', 'completed'],
    ]);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
