import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Tempolite, activityContext, registerActivity, registerWorkflow, silentLogger } from '../../src/index.js';
import { consistencyProblems } from '../helpers/consistency.js';
import { execute } from '../helpers/db-rows.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';
import { onPostgres, tempDatabase } from '../helpers/test-store.js';

const gate = { entered: new Latch(), release: new Latch(), after: 0, nextMs: 0 };
const slow = registerActivity('stalled.slow', async () => {
  gate.entered.open();
  // A cancel the engine took aborts this attempt; a pause waits for it to end.
  const { signal } = activityContext();
  await Promise.race([gate.release.wait(), new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
  return 'slow';
});
const next = registerActivity('stalled.next', async () => {
  gate.after++;
  // A pause does not abort a step: this leaves the engine's control watch (every pollIntervalMs) many polls to see it.
  await new Promise((resolve) => setTimeout(resolve, gate.nextMs));
  return 'next';
});
const flow = registerWorkflow('stalled.flow', async () => `${await slow()} ${await next()} ${await next()}`);

// PostgreSQL fences a stalled worker with its lease (LeaseLostError); on SQLite the live engine keeps the file lock.
describe.skipIf(onPostgres)('a cancel or pause from a client while the running engine is alive but past its lease (SQLite)', () => {
  for (const action of ['cancel', 'pause'] as const) {
    it(`${action}: is left for that engine, which takes it at its next step boundary, instead of ending the workflow under it`, async () => {
      const temp = tempDatabase();
      gate.entered = new Latch();
      gate.release = new Latch();
      gate.after = 0;
      gate.nextMs = action === 'pause' ? 400 : 0;
      const worker = new Tempolite({ database: temp.file, register: [slow, next, flow], logger: silentLogger, pollIntervalMs: 20 });
      const client = new Tempolite({ database: temp.file, register: [slow, next, flow], logger: silentLogger, workers: false });
      try {
        await worker.start();
        await client.start();
        await worker.startWorkflow(flow, [], { id: `stalled-${action}` });
        await gate.entered.wait();
        // As a process stopped (SIGSTOP, a debugger) past its lease leaves it.
        await execute(temp.file, `UPDATE tempolite_task SET lease_expires_at = 1 WHERE workflow_id = ?`, `stalled-${action}`);
        if (action === 'cancel') await client.cancel(`stalled-${action}`);
        else await client.pause(`stalled-${action}`);
        const handle = await client.getHandle(`stalled-${action}`);
        expect(await handle.status()).toBe('running');
        expect((await handle.describe()).requested).toBe(action);
        const final = action === 'cancel' ? 'cancelled' : 'paused';
        if (action === 'cancel') {
          // The engine sees the request and aborts its attempt; nothing after it runs.
          await eventually(async () => (await handle.status()) === final, `the workflow to be ${final}`);
          expect(gate.after).toBe(0);
        } else {
          gate.release.open();
          await eventually(async () => (await handle.status()) === final, `the workflow to be ${final}`);
          await client.resume(`stalled-${action}`);
          expect(await (await worker.getHandle<string>(`stalled-${action}`)).result()).toBe('slow next next');
        }
      } finally {
        gate.release.open();
        await client.close();
        await worker.close();
      }
      expect(consistencyProblems(temp.file)).toEqual([]);
      await temp.cleanup();
    });
  }
});
