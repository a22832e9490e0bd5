import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMPOLITE_ENTITIES } from '../../entities/index.js';
import { openSqliteDatabase, type SqliteOpenOptions } from '../../src/store/data-source.js';
import { InitialSchema1763800000000 } from '../../src/store/migrations/index.js';
import { MIGRATIONS_TABLE } from '../../src/store/schema-guard.js';
import { onPostgres } from '../helpers/test-store.js';

const EXPECTED_TABLES = [
  'tempolite_activity_data',
  'tempolite_activity_entity',
  'tempolite_activity_execution',
  'tempolite_queue_start',
  'tempolite_run',
  'tempolite_saga_data',
  'tempolite_saga_entity',
  'tempolite_saga_execution',
  'tempolite_side_effect_data',
  'tempolite_side_effect_entity',
  'tempolite_side_effect_execution',
  'tempolite_signal',
  'tempolite_task',
  'tempolite_timer',
  'tempolite_workflow_data',
  'tempolite_workflow_entity',
  'tempolite_workflow_execution',
  'tempolite_workflow_execution_data',
];

// The postgres project checks the same on PostgreSQL (pg-schema.test.ts).
describe.skipIf(onPostgres)('SQLite schema', () => {
  let dir: string;
  let file: string;
  const open: DataSource[] = [];

  const options = (overrides: Partial<SqliteOpenOptions> = {}): SqliteOpenOptions => ({
    database: file,
    synchronous: 'full',
    busyTimeoutMs: 5000,
    ...overrides,
  });

  async function openDb(overrides: Partial<SqliteOpenOptions> = {}) {
    const opened = await openSqliteDatabase(options(overrides));
    open.push(opened.dataSource);
    return opened;
  }

  async function close(dataSource: DataSource): Promise<void> {
    open.splice(open.indexOf(dataSource), 1);
    await dataSource.destroy();
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tempolite-'));
    file = path.join(dir, 'tempolite.db');
  });

  afterEach(async () => {
    for (const dataSource of open.splice(0)) {
      if (dataSource.isInitialized) await dataSource.destroy();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates every table on a fresh file', async () => {
    const { db } = await openDb();
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tempolite_%' ORDER BY name`)
      .pluck()
      .all();
    expect(tables).toEqual([...EXPECTED_TABLES, 'tempolite_migrations'].sort());
    expect(db.prepare('SELECT name FROM tempolite_migrations').pluck().all()).toEqual(['InitialSchema1763800000000', 'DueTaskIndex1764600000000', 'WorkflowDeadline1764700000000', 'SignalConsumedIndex1764800000000', 'SignalIdempotencyKey1764900000000', 'SignalWaitNames1765000000000']);
  });

  it('has one entity per table', async () => {
    const { dataSource } = await openDb();
    const entityTables = dataSource.entityMetadatas.map((metadata) => metadata.tableName).sort();
    expect(entityTables).toEqual(EXPECTED_TABLES);
    expect(TEMPOLITE_ENTITIES).toHaveLength(EXPECTED_TABLES.length);
  });

  it('reopening a migrated file changes nothing', async () => {
    const first = await openDb();
    const schemaBefore = first.db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    await close(first.dataSource);

    const second = await openDb();
    expect(second.db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()).toEqual(schemaBefore);
    expect(second.db.prepare('SELECT COUNT(*) FROM tempolite_migrations').pluck().get()).toBe(6);
    expect(await second.dataSource.showMigrations()).toBe(false);
  });

  it('a file migrated by the first release gets the later migrations, its rows kept', async () => {
    const first = new DataSource({ type: 'better-sqlite3', database: file, migrations: [InitialSchema1763800000000], migrationsTableName: MIGRATIONS_TABLE });
    await first.initialize();
    await first.runMigrations({ transaction: 'all' });
    await first.query(`INSERT INTO tempolite_task (workflow_id, queue, priority, available_at, owner, lease_expires_at, wakeups, created_at) VALUES ('old-task', 'default', 0, 1, NULL, NULL, 0, 1)`);
    await first.destroy();

    const { db } = await openDb();
    expect(db.prepare('SELECT name FROM tempolite_migrations ORDER BY id').pluck().all()).toEqual(['InitialSchema1763800000000', 'DueTaskIndex1764600000000', 'WorkflowDeadline1764700000000', 'SignalConsumedIndex1764800000000', 'SignalIdempotencyKey1764900000000', 'SignalWaitNames1765000000000']);
    expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'idx_tempolite_task_due'`).pluck().get()).toMatch(/WHERE owner IS NULL/);
    expect(db.prepare(`SELECT workflow_id FROM tempolite_task INDEXED BY idx_tempolite_task_due WHERE queue = 'default' AND owner IS NULL`).pluck().all()).toEqual(['old-task']);
    expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'idx_tempolite_workflow_deadline'`).pluck().get()).toMatch(/WHERE deadline_at IS NOT NULL AND status IN/);
  });

  it('entity metadata matches the migrated schema exactly', async () => {
    const { dataSource } = await openDb();
    const sqlInMemory = await dataSource.driver.createSchemaBuilder().log();
    expect(sqlInMemory.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('uses WAL and synchronous=FULL by default', async () => {
    const { db } = await openDb();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('uses synchronous=NORMAL when asked', async () => {
    const { db } = await openDb({ synchronous: 'normal', busyTimeoutMs: 1234 });
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
  });

  it('opens an in-memory database', async () => {
    const { dataSource, db } = await openDb({ database: ':memory:' });
    expect(db.pragma('journal_mode', { simple: true })).toBe('memory');
    expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'tempolite_%'`).pluck().get()).toBe(
      EXPECTED_TABLES.length + 1,
    );
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });

  it('round-trips bigint timestamps as numbers and keeps null', async () => {
    const { dataSource } = await openDb();
    const now = Date.now();
    const repo = dataSource.getRepository('WorkflowEntity');
    await repo.insert({
      id: 'wf-1',
      runId: 'run-1',
      name: 'demo',
      queue: 'default',
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    });
    const row = await repo.findOneByOrFail({ id: 'wf-1' });
    expect(row).toMatchObject({ createdAt: now, completedAt: null, priority: 0, generation: 0, attempts: 0 });
  });
});
