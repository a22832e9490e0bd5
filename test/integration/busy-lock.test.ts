import 'reflect-metadata';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, registerWorkflow } from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { onPostgres } from '../helpers/test-store.js';

const hello = registerWorkflow('busy.hello', async (name: string) => `hello ${name}`);

// SQLite's write lock; PostgreSQL has row locks and no busy timeout.
describe.skipIf(onPostgres)('a SQLite file whose write lock another connection holds', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a write that cannot get the lock within busyTimeoutMs is a StorageError "busy", nothing written; once the lock is free it works', async () => {
    // Both engines give up quickly: this test holds the lock in their own process, where waiting blocks the event loop.
    const worker = await startEngine({ register: [hello], busyTimeoutMs: 50 });
    cleanups.push(worker.dispose);
    const client = await startEngine({ register: [hello], workers: false, busyTimeoutMs: 50 }, worker.file);
    cleanups.push(client.dispose);
    expect(await (await client.engine.startWorkflow(hello, ['before'], { id: 'before' })).result()).toBe('hello before');

    // Another process's long write transaction (an admin script, a backup tool): a connection of its own.
    const other = new Database(worker.file);
    cleanups.push(() => {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    });
    other.exec('BEGIN IMMEDIATE');
    const before = await countRows(worker.file);
    const error = await client.engine.startWorkflow(hello, ['locked'], { id: 'locked' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ problem: 'busy', database: worker.file });
    expect((error as StorageError).sqliteCode).toMatch(/^SQLITE_BUSY/);
    other.exec('ROLLBACK');

    expect(await countRows(worker.file)).toEqual(before);
    expect(await (await client.engine.startWorkflow(hello, ['after'], { id: 'after' })).result()).toBe('hello after');
    expect(await checkConsistency(worker.file)).toEqual([]);
  });
});
