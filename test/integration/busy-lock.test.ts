import 'reflect-metadata';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, Tempolite, registerWorkflow, silentLogger, type Logger } from '../../src/index.js';
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

  it('close() still closes when the lock keeps it from releasing its leases: a warning, and the next engine takes over at its start', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (_fields: unknown, message?: string) => void warnings.push(message ?? '') };
    const worker = await startEngine({ register: [hello], busyTimeoutMs: 50, logger });
    let reopened: Tempolite | undefined;
    const other = new Database(worker.file);
    cleanups.push(async () => {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await reopened?.close();
      await worker.dispose();
    });
    expect(await (await worker.engine.startWorkflow(hello, ['before'], { id: 'before' })).result()).toBe('hello before');

    other.exec('BEGIN IMMEDIATE');
    await worker.engine.close();
    expect(warnings.some((message) => /releasing leases at close failed: the next engine on this file takes these workflows over at its start/.test(message))).toBe(true);
    other.exec('ROLLBACK');

    reopened = new Tempolite({ database: worker.file, logger: silentLogger, pollIntervalMs: 50 });
    await reopened.start();
    expect(await (await reopened.startWorkflow(hello, ['after'], { id: 'after' })).result()).toBe('hello after');
    await reopened.close();
    reopened = undefined;
    expect(await checkConsistency(worker.file)).toEqual([]);
  });
});
