import 'reflect-metadata';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, TestClock, Workflow, workflowContext } from '../../src/index.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startEngine } from '../helpers/engine.js';
import { onPostgres } from '../helpers/test-store.js';
import { eventually } from '../helpers/eventually.js';
import { timersOf } from '../helpers/waits.js';

class Waiting {
  @Activity({ name: 'waiting.step' }) async step(): Promise<number> {
    return 1;
  }
  @Workflow({ name: 'waiting.child' }) async child(): Promise<void> {
    await workflowContext().waitForSignal('never');
  }
  @Workflow({ name: 'waiting.flow' }) async flow(): Promise<string> {
    const ctx = workflowContext();
    await this.step();
    await ctx.sleep('1h');
    await ctx.waitForSignal('go');
    await ctx.waitForSignal('maybe', { timeout: '1h' });
    await this.child();
    return 'done';
  }
}

/** Tables that grow with history: a full scan of one of them is a bug. */
const GROWING = /SCAN (tempolite_\w+)/;

// SQLite only: EXPLAIN QUERY PLAN over the SQLite store's prepared statements.
describe.skipIf(onPostgres)('query plans of waits and control', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('every statement prepared by sleeps, signals, timeouts, pause, resume and cancel is served by an index', async () => {
    const clock = new TestClock();
    const started = await startEngine({ register: [Waiting], clock });
    dispose = started.dispose;
    const { engine } = started;
    const handle = await engine.startWorkflow(Waiting, 'flow', [], { id: 'planned' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the sleep');
    await handle.pause();
    await handle.resume();
    clock.advance('1h');
    await handle.signal('go', 1);
    await eventually(async () => (await timersOf(started.file, "planned")).length === 2, 'the timed wait');
    clock.advance('2h');
    await eventually(async () => (await handle.describe()).children.length === 1 && (await handle.status()) === 'waiting', 'the parent to wait on its child');
    await handle.cancel();

    const store = (engine as unknown as { started: { deps: { store: SqliteStore } } }).started.deps.store;
    // The statements of waits and control (src/store/sqlite/sqlite-wait-store.ts, sqlite-control-store.ts, sql.ts).
    const statements = store.preparedSql().filter((sql) => /tempolite_(timer|signal)|control|RECURSIVE|wakeups = wakeups \+ 1 WHERE/.test(sql));
    expect(statements.length).toBeGreaterThan(12);
    const db = new Database(started.file, { readonly: true });
    try {
      const scans = statements.flatMap((sql) => {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: sql.split('?').length - 1 }, () => null)) as { detail: string }[];
        return plan.filter((row) => GROWING.test(row.detail)).map((row) => `${row.detail}  ←  ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
      });
      expect(scans).toEqual([]);
      // A wait's look-up of the signal it consumed seeks its own index: by workflow alone it would read every
      // signal the workflow ever received, a cost that grows with history.
      const consumedLookups = statements.filter((sql) => /FROM tempolite_signal WHERE workflow_id = \? AND consumed_generation = \? AND consumed_step_id = \?/.test(sql));
      expect(consumedLookups.length).toBeGreaterThan(0);
      for (const sql of consumedLookups) {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(null, null, null) as { detail: string }[];
        expect(plan.map((row) => row.detail).join('; ')).toMatch(/idx_tempolite_signal_consumed/);
      }
    } finally {
      db.close();
    }
  });
});
