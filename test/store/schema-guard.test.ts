import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchemaTooNewError } from '../../src/errors.js';
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
});
