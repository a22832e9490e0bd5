import 'reflect-metadata';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, SideEffect, Workflow, workflowContext } from '../../src/index.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { onPostgres } from '../helpers/test-store.js';

class Planned {
  static failures = 0;
  @SideEffect({ name: 'planned.id' }) async id(): Promise<string> {
    return 'x';
  }
  @Activity({ name: 'planned.step', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async step(n: number): Promise<number> {
    if (Planned.failures > 0) {
      Planned.failures -= 1;
      throw new Error('once');
    }
    return n + 1;
  }
  @Workflow({ name: 'planned.child' }) async child(n: number): Promise<number> {
    return this.step(n);
  }
  @Workflow({ name: 'planned.flow' }) async flow(n: number): Promise<number> {
    await this.id();
    const a = await this.step(n);
    const b = await this.child(a);
    await workflowContext().startWorkflow(Planned, 'child', [b]);
    if (n === 0) await workflowContext().continueAsNew(1);
    return b;
  }
}

/** Tables that grow with history: a full scan of one of them on the hot path is a bug. */
const GROWING = /SCAN (tempolite_\w+)/;

// SQLite only: EXPLAIN QUERY PLAN over the SQLite store's prepared statements.
describe.skipIf(onPostgres)('query plans of the hot path', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('every statement the store prepared during a workload is served by an index', async () => {
    const started = await startEngine({ register: [Planned] });
    dispose = started.dispose;
    Planned.failures = 1;
    const handles = await Promise.all([0, 5].map((n) => started.engine.startWorkflow(Planned, 'flow', [n])));
    await Promise.all(handles.map((h) => h.result()));
    await handles[0]!.describe();
    await started.engine.list({ status: 'completed', name: 'planned.flow' });
    // Off the hot path, but it runs beside it: pruning too is served by indexes.
    expect(await started.engine.prune({ olderThan: 0 })).toBeGreaterThan(0);

    const store = (started.engine as unknown as { started: { deps: { store: SqliteStore } } }).started.deps.store;
    // The deadline watch reads every poll interval, workflows with a deadline or not.
    await eventually(() => store.preparedSql().some((sql) => sql.includes('deadline_at <=')), 'a pass of the deadline watch');
    const statements = store.preparedSql();
    expect(statements.length).toBeGreaterThan(20);
    const db = new Database(started.file, { readonly: true });
    try {
      const scans = statements.flatMap((sql) => {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...new Array<null>(sql.split('?').length - 1).fill(null)) as { detail: string }[];
        return plan.filter((row) => GROWING.test(row.detail)).map((row) => `${row.detail}  ←  ${sql.replace(/\s+/g, ' ').slice(0, 140)}`);
      });
      expect(scans).toEqual([]);
      const deadlines = statements.find((sql) => sql.includes('deadline_at <='))!;
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${deadlines}`).all(null, null) as { detail: string }[];
      expect(plan.map((row) => row.detail).join('; ')).toMatch(/USING INDEX idx_tempolite_workflow_deadline/);
    } finally {
      db.close();
    }
  });
});
