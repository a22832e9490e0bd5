import Database from 'better-sqlite3';
import { DatabaseInUseError } from '../../errors.js';

/**
 * Proof that this process is the only engine on a SQLite file: an exclusive
 * transaction held on a sidecar file. The operating system drops the lock when
 * the process dies, so a new engine that gets it knows every lease in the
 * database belongs to a dead process and can recover at once, without waiting
 * for leases to expire. Readers (the CLI, dashboards) never take it.
 */
export class ProcessLock {
  private constructor(private readonly handle: Database.Database) {}

  /** Takes the lock of `databaseFile`, or throws DatabaseInUseError. */
  static acquire(databaseFile: string): ProcessLock {
    const handle = new Database(`${databaseFile}-tempolite-lock`, { timeout: 0 });
    try {
      handle.pragma('locking_mode = EXCLUSIVE');
      handle.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      handle.close();
      if (error instanceof Error && /SQLITE_BUSY|database is locked/i.test(`${(error as { code?: string }).code ?? ''} ${error.message}`)) {
        throw new DatabaseInUseError(databaseFile);
      }
      throw error;
    }
    return new ProcessLock(handle);
  }

  /** Releases the lock. */
  release(): void {
    if (!this.handle.open) return;
    try {
      this.handle.exec('ROLLBACK');
    } finally {
      this.handle.close();
    }
  }
}
