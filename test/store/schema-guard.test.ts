import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SchemaNotMigratedError, SchemaTooNewError, StorageError } from '../../src/errors.js';
import { Tempolite, silentLogger } from '../../src/index.js';
import { openSqliteDatabase } from '../../src/store/data-source.js';
import { onPostgres } from '../helpers/test-store.js';

/** Row count of every table, to prove a refused open wrote nothing. */
function rowCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
    const count = (table: string) => db.prepare(`SELECT COUNT(*) FROM "${table}"`).pluck().get() as number;
    return Object.fromEntries(tables.map((table) => [table, count(table)]));
  } finally {
    db.close();
  }
}

// The postgres project checks the same on PostgreSQL (pg-schema.test.ts).
describe.skipIf(onPostgres)('schema guard', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tempolite-'));
    file = path.join(dir, 'tempolite.db');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a fresh file and a file it migrated itself', async () => {
    for (let i = 0; i < 2; i++) {
      const { dataSource } = await openSqliteDatabase({ database: file, synchronous: 'full', busyTimeoutMs: 1000 });
      await dataSource.destroy();
    }
  });

  it('refuses a file migrated by a newer Tempolite and leaves it unchanged', async () => {
    const { dataSource, db } = await openSqliteDatabase({ database: file, synchronous: 'full', busyTimeoutMs: 1000 });
    expect(db.prepare('SELECT * FROM tempolite_migrations').columns().map((column) => column.name)).toEqual([
      'id',
      'timestamp',
      'name',
    ]);
    db.prepare('INSERT INTO tempolite_migrations (timestamp, name) VALUES (?, ?)').run(1900000000000, 'FutureThing1900000000000');
    await dataSource.destroy();

    const before = rowCounts(file);
    const error = await openSqliteDatabase({ database: file, synchronous: 'full', busyTimeoutMs: 1000 }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as SchemaTooNewError).unknownMigrations).toEqual(['FutureThing1900000000000']);
    expect((error as SchemaTooNewError).database).toBe(file);
    expect((error as SchemaTooNewError).message).toContain('FutureThing1900000000000');

    expect(rowCounts(file)).toEqual(before);
    const check = new Database(file);
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      // The refused open released its connection: a write lock can be taken at once.
      check.exec('BEGIN IMMEDIATE; ROLLBACK;');
    } finally {
      check.close();
    }
  });

  it('a migration that fails is a StorageError (migration-failed), rolled back and not printed by TypeORM', async () => {
    // The deadline migration's row removed by hand, its column left: running it again fails.
    const { dataSource, db } = await openSqliteDatabase({ database: file, synchronous: 'full', busyTimeoutMs: 1000 });
    db.prepare('DELETE FROM tempolite_migrations WHERE name = ?').run('WorkflowDeadline1764700000000');
    await dataSource.destroy();
    const before = rowCounts(file);
    const printed = vi.spyOn(console, 'log');
    try {
      const engine = new Tempolite({ database: file, register: [], logger: silentLogger });
      const error = await engine.start().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      await engine.close();
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ code: 'TEMPOLITE_STORAGE', problem: 'migration-failed', database: file });
      expect((error as StorageError).message).toContain('duplicate column name: deadline_at');
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
    expect(rowCounts(file)).toEqual(before);
  });

  describe('an engine with migrate: false', () => {
    const ALL = ['InitialSchema1763800000000', 'DueTaskIndex1764600000000', 'WorkflowDeadline1764700000000', 'SignalConsumedIndex1764800000000', 'SignalIdempotencyKey1764900000000', 'SignalWaitNames1765000000000'];

    /** Refused by a client-mode engine and by one with workers (which would take the process lock). */
    async function startRefused(database: string): Promise<SchemaNotMigratedError> {
      let refused: SchemaNotMigratedError | undefined;
      for (const workers of [false, true]) {
        const engine = new Tempolite({ database, migrate: false, workers, register: [], logger: silentLogger });
        const error = await engine.start().then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        await engine.close();
        expect(error).toBeInstanceOf(SchemaNotMigratedError);
        refused = error as SchemaNotMigratedError;
      }
      return refused!;
    }

    it('does not create a file that does not exist', async () => {
      const error = await startRefused(file);
      expect(error).toMatchObject({ code: 'TEMPOLITE_SCHEMA_NOT_MIGRATED', database: file, empty: true, pendingMigrations: ALL });
      expect(error.message).toContain('is not a Tempolite database');
      expect(fs.existsSync(file)).toBe(false);
      // Not even the process lock's file.
      expect(fs.readdirSync(dir)).toEqual([]);
    });

    it("leaves an empty file and an application's own database exactly as they were (not even switched to WAL)", async () => {
      fs.writeFileSync(file, '');
      expect((await startRefused(file)).empty).toBe(true);
      expect(fs.statSync(file).size).toBe(0);

      const app = new Database(file);
      app.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES (\'ana\');');
      app.close();
      const bytes = fs.readFileSync(file);
      const error = await startRefused(file);
      expect(error).toMatchObject({ empty: true, pendingMigrations: ALL });
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      expect(fs.readdirSync(dir).sort()).toEqual(['tempolite.db']);
      expect(rowCounts(file)).toEqual({ customers: 1 });
    });

    it("leaves an application's WAL-mode file without -wal or -shm files beside it", async () => {
      const app = new Database(file);
      app.pragma('journal_mode = WAL');
      app.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
      app.close();
      expect(fs.readdirSync(dir)).toEqual(['tempolite.db']);
      const bytes = fs.readFileSync(file);
      expect((await startRefused(file)).empty).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['tempolite.db']);
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    });

    it('refuses a file an older Tempolite migrated, naming what it lacks; opens one this version migrated', async () => {
      // A file of the Tempolite before its latest migration.
      const { dataSource } = await openSqliteDatabase({ database: file, synchronous: 'full', busyTimeoutMs: 1000 });
      await dataSource.undoLastMigration({ transaction: 'all' });
      await dataSource.destroy();
      const before = rowCounts(file);
      const error = await startRefused(file);
      expect(error).toMatchObject({ empty: false, pendingMigrations: ['SignalWaitNames1765000000000'] });
      expect(error.message).toContain('older Tempolite');
      expect(rowCounts(file)).toEqual(before);

      // The default engine migrates it; then migrate: false opens it.
      const migrating = new Tempolite({ database: file, workers: false, register: [], logger: silentLogger });
      await migrating.start();
      await migrating.close();
      const reader = new Tempolite({ database: file, migrate: false, workers: false, register: [], logger: silentLogger });
      await reader.start();
      expect(await reader.list()).toEqual([]);
      await reader.close();
    });

    it('a migrating engine refuses a file a newer Tempolite migrated byte for byte as it was: journal mode kept, no lock file', async () => {
      const { dataSource, db } = await openSqliteDatabase({ database: file, synchronous: 'full', busyTimeoutMs: 1000 });
      db.prepare('INSERT INTO tempolite_migrations (timestamp, name) VALUES (?, ?)').run(1900000000000, 'FutureThing1900000000000');
      await dataSource.destroy();
      // As another tool might have left it: a rollback journal, not WAL.
      const other = new Database(file);
      other.pragma('journal_mode = DELETE');
      other.close();
      const bytes = fs.readFileSync(file);
      const files = fs.readdirSync(dir).sort();
      const engine = new Tempolite({ database: file, register: [], logger: silentLogger });
      await expect(engine.start()).rejects.toBeInstanceOf(SchemaTooNewError);
      await engine.close();
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      expect(fs.readdirSync(dir).sort()).toEqual(files);
    });

    it('still refuses a file a newer Tempolite migrated with SchemaTooNewError', async () => {
      const { dataSource, db } = await openSqliteDatabase({ database: file, synchronous: 'full', busyTimeoutMs: 1000 });
      db.prepare('INSERT INTO tempolite_migrations (timestamp, name) VALUES (?, ?)').run(1900000000000, 'FutureThing1900000000000');
      await dataSource.destroy();
      const engine = new Tempolite({ database: file, migrate: false, workers: false, register: [], logger: silentLogger });
      await expect(engine.start()).rejects.toBeInstanceOf(SchemaTooNewError);
      await engine.close();
    });
  });
});
