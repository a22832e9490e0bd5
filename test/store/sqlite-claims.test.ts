import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { WorkflowStore } from '../../src/store/workflow-store.js';
import { onPostgres, tempDatabase } from '../helpers/test-store.js';

const LEASE_MS = 1000;

// SQLite's claim walks priority levels on a partial index (src/store/sqlite/sqlite-claims.ts); PostgreSQL has its own.
describe.skipIf(onPostgres)('SQLite claims', () => {
  let db: ReturnType<typeof tempDatabase>;
  let store: WorkflowStore;
  let release: () => void;

  beforeEach(async () => {
    db = tempDatabase();
    const opened = await openStore({ database: db.file, synchronous: 'normal', busyTimeoutMs: 5000 });
    store = opened.store;
    release = opened.release;
  });

  afterEach(async () => {
    await store.close();
    release();
    await db.cleanup();
  });

  async function create(id: string, options: { priority?: number; now?: number; name?: string; queue?: string } = {}): Promise<void> {
    const now = options.now ?? 100;
    await store.createWorkflow({ id, runId: `run-${id}`, newRun: true, name: options.name ?? 'known', queue: options.queue ?? 'q', priority: options.priority ?? 0, input: '{"json":[]}', now });
  }

  const claim = (limit: number, now = 1000, owner = 'me'): Promise<string[]> => store.claimTasks('q', owner, limit, ['known'], now, LEASE_MS);

  it('takes the best tasks first: higher priority, then earlier due, then older; never more than asked', async () => {
    await create('low-old', { priority: -1, now: 1 });
    await create('mid-late', { priority: 0, now: 30 });
    await create('mid-early', { priority: 0, now: 10 });
    await create('high', { priority: 5, now: 50 });
    await create('mid-early-too', { priority: 0, now: 10 });
    expect(await claim(3)).toEqual(['high', 'mid-early', 'mid-early-too']);
    expect(await claim(10)).toEqual(['mid-late', 'low-old']);
    expect(await claim(10)).toEqual([]);
  });

  it('leaves tasks that are not due, of other queues, or of workflows this engine does not run; they do not take slots', async () => {
    await create('stranger-1', { name: 'not-registered', now: 1 });
    await create('stranger-2', { name: 'not-registered', now: 2 });
    await create('elsewhere', { queue: 'other', now: 3 });
    await create('later', { now: 1500 });
    await create('mine', { now: 4 });
    expect(await claim(1)).toEqual(['mine']);
    expect(await claim(10)).toEqual([]);
    expect(await claim(10, 1600)).toEqual(['later']);
  });

  it('takes back tasks whose lease ran out, in priority order among the others', async () => {
    await create('dead-workers', { priority: 1, now: 1 });
    await create('waiting', { priority: 2, now: 2 });
    await create('after', { priority: 0, now: 3 });
    expect(await claim(1, 1000, 'dead')).toEqual(['waiting']);
    expect(await claim(1, 1000, 'dead')).toEqual(['dead-workers']);
    // Both leases of the dead worker have expired at 5000; the lease of "after" (taken now) has not.
    expect(await claim(2, 5000)).toEqual(['waiting', 'dead-workers']);
    expect(await claim(5, 5000)).toEqual(['after']);
    expect(await claim(5, 5000 + LEASE_MS - 1)).toEqual([]);
  });

  it('keeps the order over many distinct priorities (past the per-level walk, one sorted query)', async () => {
    const priorities = Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
    for (const p of priorities) await create(`p${p}`, { priority: p, now: 100 - p });
    const expected = [...priorities].sort((a, b) => b - a).map((p) => `p${p}`);
    expect(await claim(25)).toEqual(expected.slice(0, 25));
    expect(await claim(25)).toEqual(expected.slice(25));
  });

  it('every claim query is a seek on an index, not a sort of the backlog', async () => {
    for (let i = 0; i < 50; i++) await create(`w${i}`, { priority: i % 3, now: i });
    await claim(5);
    const sqlite = new Database(db.file, { readonly: true });
    try {
      const claimSql = (store as unknown as { preparedSql(): string[] }).preparedSql().filter((sql) => /FROM tempolite_task/.test(sql) && /owner IS NULL|lease_expires_at </.test(sql) && !/MIN\(/.test(sql));
      expect(claimSql.length).toBeGreaterThanOrEqual(3);
      for (const sql of claimSql) {
        const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...new Array<null>(sql.split('?').length - 1).fill(null)) as { detail: string }[]).map((row) => row.detail).join(' | ');
        expect(plan, sql).toMatch(/USING (COVERING )?INDEX (idx_tempolite_task_due|idx_tempolite_task_lease)/);
        expect(plan, sql).not.toMatch(/TEMP B-TREE|SCAN tempolite_task/);
      }
    } finally {
      sqlite.close();
    }
  });
});
