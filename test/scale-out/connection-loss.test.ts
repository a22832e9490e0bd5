import 'reflect-metadata';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, StorageError, Tempolite, registerActivity, registerWorkflow, silentLogger, type Logger } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { dropSchema, freshSchemaUrl, onPostgres } from '../helpers/test-store.js';

const OUTAGE_MS = 1500;
const done = { steps: 0 };
const step = registerActivity('connloss.step', async (n: number) => {
  done.steps++;
  return n;
});
const busy = registerWorkflow('connloss.busy', async (steps: number) => {
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += await step(i);
  return sum;
});

/**
 * PostgreSQL connections lost under load (a TCP proxy in front of the server resets them all and refuses new
 * ones for a while): the process goes on, client calls meanwhile reject with a StorageError, result() waits
 * through the outage, every workflow completes once the server is reachable again, and the engine holds its
 * workerId again.
 */
describe.runIf(onPostgres)('lost PostgreSQL connections', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('neither crash the process nor fail the workflows; client calls in the outage are a StorageError, result() waits through it; the workerId is held again', async () => {
    const direct = freshSchemaUrl('connloss');
    cleanups.push(() => dropSchema(direct));
    const target = new URL(direct);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(direct);
    proxied.port = String(await proxy.listen());
    cleanups.push(() => proxy.close());
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (_fields, message) => errors.push(message ?? '') };
    const engine = new Tempolite({ database: proxied.toString(), register: [step, busy], logger, pollIntervalMs: 50, workerId: 'held-through-outages' });
    await engine.start();
    cleanups.push(() => engine.close());

    const handles = await Promise.all(Array.from({ length: 20 }, (_, i) => engine.startWorkflow(busy, [40], { id: `busy-${i}` })));
    const results = handles.map((handle) => handle.result());
    // Cut while the workflows are mid-way: write transactions are under way on checked-out connections.
    await eventually(() => done.steps >= 100, 'steps to run');
    await proxy.cut();
    const during = await handles[0]!.status().catch((error: unknown) => error);
    expect(during).toBeInstanceOf(StorageError);
    expect(during).toMatchObject({ problem: 'cannot-connect' });
    expect((during as StorageError).database).not.toContain('tempolite:tempolite@');
    // The outage lasts past the first retries of the engine's writes (0.5 s, then 1 s).
    await delay(OUTAGE_MS);
    await proxy.restore();

    expect(await Promise.all(results)).toEqual(handles.map(() => (40 * 39) / 2));
    // Each loop that meets the outage backs off (doubling from the 50 ms poll), rather than logging every poll.
    const deadlineErrors = errors.filter((message) => message === 'cancelling workflows past their deadline failed').length;
    expect(deadlineErrors).toBeGreaterThan(0);
    expect(deadlineErrors).toBeLessThanOrEqual(8);
    expect(await checkConsistency(direct)).toEqual([]);

    // The outage ended the session that held the engine's workerId: the engine takes it again, so a second
    // engine started with that id is refused once more (before that, it could start: closed at once here).
    await eventually(async () => {
      const second = new Tempolite({ database: direct, register: [step, busy], logger: silentLogger, workerId: 'held-through-outages' });
      const refused = await second.start().then(() => false, (error: unknown) => error instanceof DatabaseInUseError);
      await second.close();
      return refused;
    }, 'the workerId to be held again');
  });
});
