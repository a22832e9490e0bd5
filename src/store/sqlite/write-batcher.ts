import type BetterSqlite3 from 'better-sqlite3';
import { asStorageError, closedEngineError, isBusy } from '../storage-errors.js';

interface Pending {
  readonly op: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Result = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Group commit: writes queued during one turn of the event loop run in one
 * transaction, so concurrent workflows share one commit (and one fsync under
 * `synchronous=FULL`). Every promise resolves only after the commit. A write
 * that throws rolls back alone: the batch is then replayed with a savepoint
 * per write (writes are plain statements, so replaying them is safe), and when
 * the commit itself fails, each write is tried again in a commit of its own.
 */
export class WriteBatcher {
  private closed = false;
  private queue: Pending[] = [];
  private tail: Pending[] = [];
  private scheduled = false;
  private readonly runFast: BetterSqlite3.Transaction<(batch: Pending[]) => unknown[]>;
  private readonly runIsolated: BetterSqlite3.Transaction<(batch: Pending[]) => Result[]>;

  private readonly runOne: BetterSqlite3.Transaction<(op: () => unknown) => unknown>;

  constructor(private readonly db: BetterSqlite3.Database) {
    const one = db.transaction((op: () => unknown) => op());
    this.runOne = one;
    this.runFast = db.transaction((batch: Pending[]) => batch.map((pending) => pending.op()));
    this.runIsolated = db.transaction((batch: Pending[]) =>
      batch.map((pending): Result => {
        try {
          return { ok: true, value: one(pending.op) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  /** Queues `op` (synchronous statements) for the next group commit; resolves with its return value after commit. */
  enqueue<T>(op: () => T): Promise<T> {
    return this.add(this.queue, op);
  }

  /**
   * As `enqueue`, but `op` runs after every other write of its batch, so it
   * sees them all: a claim queued before a start in the same turn still
   * claims the workflow it creates, in the same commit.
   */
  enqueueLast<T>(op: () => T): Promise<T> {
    return this.add(this.tail, op);
  }

  /** Refuses every later write (the store closed); writes already queued are drained first. */
  close(): void {
    this.closed = true;
  }

  private add<T>(list: Pending[], op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(closedEngineError());
    return new Promise<T>((resolve, reject) => {
      list.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now. */
  flush(): void {
    this.scheduled = false;
    const batch = this.tail.length === 0 ? this.queue : this.queue.concat(this.tail);
    if (batch.length === 0) return;
    this.queue = [];
    this.tail = [];
    let results: Result[];
    try {
      // IMMEDIATE: the write lock is taken (waiting up to the busy timeout) before the batch reads. A deferred
      // transaction that reads, then writes after another process committed (a client-mode engine, the CLI)
      // fails with SQLITE_BUSY at once, without waiting.
      results = this.runFast.immediate(batch).map((value): Result => ({ ok: true, value }));
    } catch (error) {
      // The lock was not had within the busy timeout: nothing ran, and waiting as long again would not help.
      if (isBusy(error)) {
        for (const pending of batch) pending.reject(asStorageError(error, this.db.name));
        return;
      }
      try {
        results = this.runIsolated.immediate(batch);
      } catch (error) {
        // The commit itself failed (a full disk, a file size limit, an I/O error): nothing of the batch is durable.
        if (isBusy(error)) {
          for (const pending of batch) pending.reject(asStorageError(error, this.db.name));
          return;
        }
        // The log may be what cannot grow: a checkpoint lets the next commit write it from its start again.
        this.checkpoint();
        // The pages of one big write may be what did not fit, so each write is tried in a commit of its own: the
        // others need not fail with it (nor their workflows run their steps again after a pause, in its company).
        let busy: unknown;
        results = batch.map((pending): Result => {
          // Each try waits out the busy timeout: once one did in vain, the others are not made to wait as long again.
          if (busy !== undefined) return { ok: false, error: busy };
          try {
            return { ok: true, value: this.runOne.immediate(pending.op) };
          } catch (own) {
            if (isBusy(own)) busy = own;
            return { ok: false, error: own };
          }
        });
      }
    }
    batch.forEach((pending, index) => {
      const result = results[index]!;
      if (result.ok) pending.resolve(result.value);
      // A full disk or a damaged file fails the call that wrote with a StorageError (issue 8); other errors pass as they are.
      else pending.reject(asStorageError(result.error, this.db.name));
    });
  }

  /** Copies the write-ahead log into the database file, without waiting for readers; a failure is left to the next commit. */
  private checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // The database file cannot grow either: the commits that follow fail with the reason.
    }
  }

  /** Commits everything queued, including writes queued by callbacks of this flush. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.tail.length > 0) {
      this.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
