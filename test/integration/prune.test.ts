import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidOptionsError,
  TestClock,
  WorkflowNotFoundError,
  registerActivity,
  registerSaga,
  registerSideEffect,
  registerWorkflow,
  workflowContext,
  type Tempolite,
} from '../../src/index.js';
import { cli } from '../helpers/cli.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { queryRows } from '../helpers/db-rows.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';


const greet = registerActivity('prune.greet', async (name: string) => `hello ${name}`);
const fail = registerActivity('prune.fail', async () => {
  throw new Error('nope');
}, { retry: { maxAttempts: 1 } });
const roll = registerSideEffect('prune.roll', async () => 4);
const book = registerSaga('prune.book', { run: async (what: string) => `booked ${what}`, compensate: async () => undefined });
const child = registerWorkflow('prune.child', async (name: string) => greet(name));
const waiter = registerWorkflow('prune.waiter', async () => (await workflowContext().waitForSignal('never')).timedOut);
/** Touches every kind of row: steps of each kind, a timer, a signal, a child, executions. */
const everything = registerWorkflow('prune.everything', async (name: string) => {
  await workflowContext().sleep(0);
  const signal = await workflowContext().waitForSignal<string>('go');
  return [await greet(name), await roll(), await book(name), await child(name), signal.timedOut ? '' : signal.payload].join(' · ');
});
const failing = registerWorkflow('prune.failing', async () => fail());
/** Fails while its child still waits: the run is not finished, so it is never pruned. */
const abandoning = registerWorkflow('prune.abandoning', async () => {
  const pending = waiter();
  pending.catch(() => undefined);
  await greet('before failing');
  throw new Error('gave up');
});

const REGISTER = [greet, fail, roll, book, child, waiter, everything, failing, abandoning];

/** Rows anywhere that belong to one of `ids`. */
async function rowsOf(database: string, ids: readonly string[]): Promise<Record<string, number>> {
  const list = ids.map((id) => `'${id}'`).join(', ');
  const found: Record<string, number> = {};
  const byWorkflow = ['tempolite_workflow_entity:id', 'tempolite_workflow_data:workflow_id', 'tempolite_workflow_execution:workflow_id', 'tempolite_activity_entity:workflow_id',
    'tempolite_side_effect_entity:workflow_id', 'tempolite_saga_entity:workflow_id', 'tempolite_signal:workflow_id', 'tempolite_timer:workflow_id', 'tempolite_task:workflow_id'];
  for (const entry of byWorkflow) {
    const [table, column] = entry.split(':') as [string, string];
    found[table] = (await queryRows<{ n: number }>(database, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IN (${list})`))[0]!.n;
  }
  return found;
}


describe('engine.prune()', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(): Promise<{ engine: Tempolite; file: string; clock: TestClock }> {
    const clock = new TestClock();
    const started = await startEngine({ clock, register: REGISTER });
    cleanups.push(started.dispose);
    return { ...started, clock };
  }

  it('deletes finished runs older than the age with every row of their workflows; keeps newer ones and runs with anything unfinished', async () => {
    const { engine, file, clock } = await setUp();
    const old = await engine.startWorkflow(everything, ['ana'], { id: 'old-done' });
    await eventually(async () => (await old.status()) === 'waiting', 'the signal wait');
    await old.signal('go', 'go!');
    expect(await old.result()).toBe('hello ana · 4 · booked ana · hello ana · go!');
    await (await engine.startWorkflow(failing, [], { id: 'old-failed' })).result().catch(() => undefined);
    await (await engine.startWorkflow(abandoning, [], { id: 'old-abandoning' })).result().catch(() => undefined);
    const waiting = await engine.startWorkflow(waiter, [], { id: 'old-waiting' });
    await eventually(async () => (await waiting.status()) === 'waiting', 'the waiter to wait');
    clock.advance('10d');
    const recent = await engine.startWorkflow(everything, ['bo'], { id: 'recent-done' });
    await eventually(async () => (await recent.status()) === 'waiting', 'the recent signal wait');
    await recent.signal('go', 'go!');
    await recent.result();
    const pruned = ['old-done', 'old-done/prune.child#0', 'old-failed'];
    const before = await rowsOf(file, pruned);
    expect(before.tempolite_activity_entity).toBeGreaterThan(0);
    expect(before.tempolite_signal).toBe(1);
    expect(before.tempolite_timer).toBeGreaterThan(0);
    expect(before.tempolite_saga_entity).toBe(1);
    expect(before.tempolite_workflow_entity).toBe(3);

    // A status filter: only the runs whose root failed.
    expect(await engine.prune({ olderThan: '5d', status: 'failed' })).toBe(1);
    await expect(engine.getHandle('old-failed')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await engine.prune({ olderThan: '5d' })).toBe(2);

    expect(Object.values(await rowsOf(file, pruned)).every((n) => n === 0)).toBe(true);
    await expect(engine.getHandle('old-done')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // The id is free again.
    const again = await engine.startWorkflow(failing, [], { id: 'old-failed' });
    await again.result().catch(() => undefined);
    expect((await again.describe()).executions).toHaveLength(1);
    const left = (await engine.list()).map((w) => w.workflowId).sort();
    expect(left).toEqual(['old-abandoning', 'old-abandoning/prune.waiter#0', 'old-failed', 'old-waiting', 'recent-done', 'recent-done/prune.child#0'].sort());
    expect(await (await engine.getHandle('old-abandoning')).status()).toBe('failed');
    expect(await (await engine.getHandle('recent-done')).result()).toBe('hello bo · 4 · booked bo · hello bo · go!');
    expect(await engine.prune({ olderThan: '5d' })).toBe(0);
    expect(await checkConsistency(file)).toEqual([]);
    // An age of 0 takes every finished run, the recent ones too; unfinished runs stay.
    expect(await engine.prune({ olderThan: 0 })).toBe(3);
    expect((await engine.list()).map((w) => w.workflowId).sort()).toEqual(['old-abandoning', 'old-abandoning/prune.waiter#0', 'old-waiting']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a handle names one run: once it is pruned and the id started again, the old handle refuses with its run id, the new one works', async () => {
    const { engine, file } = await setUp();
    const old = await engine.startWorkflow(waiter, [], { id: 'reused' });
    await eventually(async () => (await old.status()) === 'waiting', 'the waiter to wait');
    await old.cancel();
    await old.result().catch(() => undefined);
    expect(await engine.prune({ olderThan: 0 })).toBe(1);
    // Pruned and not started again: the id is gone.
    await expect(old.status()).rejects.toMatchObject({ code: 'TEMPOLITE_WORKFLOW_NOT_FOUND', workflowId: 'reused', runId: undefined });

    const fresh = await engine.startWorkflow(waiter, [], { id: 'reused' });
    expect(fresh.runId).not.toBe(old.runId);
    await eventually(async () => (await fresh.status()) === 'waiting', 'the new waiter to wait');
    const calls: Record<string, () => Promise<unknown>> = {
      status: () => old.status(),
      describe: () => old.describe(),
      result: () => old.result(),
      signal: () => old.signal('never', 'for the old run'),
      cancel: () => old.cancel(),
      pause: () => old.pause(),
      resume: () => old.resume(),
    };
    for (const [name, call] of Object.entries(calls)) {
      const error: unknown = await call().then(() => 'resolved', (failure: unknown) => failure);
      expect(error, name).toBeInstanceOf(WorkflowNotFoundError);
      expect(error, name).toMatchObject({ workflowId: 'reused', runId: old.runId });
      expect((error as Error).message, name).toContain(old.runId);
    }
    // Nothing reached the new run.
    const described = await fresh.describe();
    expect(described.status).toBe('waiting');
    expect(described.signals).toEqual([]);
    await fresh.signal('never', 'for the new run');
    expect((await fresh.result())).toBe(false);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('bad options are an InvalidOptionsError naming the option, and nothing is deleted', async () => {
    const { engine, file, clock } = await setUp();
    await (await engine.startWorkflow(failing, [], { id: 'kept' })).result().catch(() => undefined);
    clock.advance('1d');
    const before = await countRows(file);
    for (const [options, path] of [
      [undefined, 'options'],
      [{}, 'olderThan'],
      [{ olderThan: 'soon' }, 'olderThan'],
      [{ olderThan: -1 }, 'olderThan'],
      [{ olderThan: '1h', status: 'running' }, 'status'],
      [{ olderThan: '1h', status: [] }, 'status'],
      [{ olderThan: '1h', keep: 3 }, 'keep'],
    ] as const) {
      const error = await engine.prune(options as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ subject: 'prune()', path });
    }
    expect(await countRows(file)).toEqual(before);
  });

  it('the CLI: tempolite prune --older-than', async () => {
    const { engine, file } = await setUp();
    await (await engine.startWorkflow(failing, [], { id: 'cli-old' })).result().catch(() => undefined);
    // The CLI's engine runs on the system clock: the workflow ended moments ago.
    const young = await cli('prune', '--db', file, '--older-than', '365d', '--json');
    expect(young.stderr).toBe('');
    expect(JSON.parse(young.stdout)).toEqual({ ok: true, action: 'prune', workflows: 0 });
    // The summary names the filter it applied.
    const completedOnly = await cli('prune', '--db', file, '--older-than', '0', '--status', 'completed,cancelled');
    expect(completedOnly.stdout).toBe('Deleted 0 finished workflows (every run whose root ended completed or cancelled).\n');
    const oldCompleted = await cli('prune', '--db', file, '--older-than', '30d', '--status', 'completed');
    expect(oldCompleted.stdout).toBe('Deleted 0 finished workflows (runs whose root ended completed more than 30d ago).\n');
    const all = await cli('prune', '--db', file, '--older-than', '0');
    expect(all.code).toBe(0);
    expect(all.stdout).toBe('Deleted 1 finished workflow (every finished run).\n');
    await expect(engine.getHandle('cli-old')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const bad = await cli('prune', '--db', file, '--older-than', 'soon', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'TEMPOLITE_INVALID_OPTIONS' } });
    const missing = await cli('prune', '--db', file);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--older-than <duration>'");
  });
});
