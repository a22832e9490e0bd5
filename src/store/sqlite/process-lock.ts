import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseInUseError } from '../../errors.js';

/**
 * The lock file of a database, named after the file's real path: a symbolic link to the file (or to a folder
 * on its path) takes the same lock. A file not created yet is named after its folder's real path.
 */
function lockFileOf(databaseFile: string): string {
  try {
    return `${realpathSync(databaseFile)}-tempolite-lock`;
  } catch {
    try {
      return join(realpathSync(dirname(databaseFile)), `${basename(databaseFile)}-tempolite-lock`);
    } catch {
      // No such folder: opening the database fails next, with the path as given.
      return `${databaseFile}-tempolite-lock`;
    }
  }
}

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
    // A short wait, not none: a client's `isHeld` probe holds a read lock on the file for an instant.
    const handle = new Database(lockFileOf(databaseFile), { timeout: 250 });
    try {
      handle.pragma('locking_mode = EXCLUSIVE');
      handle.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      handle.close();
      if (heldElsewhere(error)) {
        throw new DatabaseInUseError(databaseFile);
      }
      throw error;
    }
    return new ProcessLock(handle);
  }

  /**
   * Whether a live engine holds the lock of `databaseFile` (this process's included). A lease that ran out
   * does not make its engine dead on SQLite: a stalled process (a debugger, SIGSTOP, a long synchronous
   * stretch) keeps the lock, and would go on writing as owner.
   */
  static isHeld(databaseFile: string): boolean {
    let handle: Database.Database;
    try {
      handle = new Database(lockFileOf(databaseFile), { readonly: true, fileMustExist: true, timeout: 0 });
    } catch {
      // No lock file: no engine ever took it.
      return false;
    }
    try {
      handle.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
      return false;
    } catch (error) {
      return heldElsewhere(error);
    } finally {
      handle.close();
    }
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

/** Whether opening or reading the lock file failed because another connection holds the lock. */
function heldElsewhere(error: unknown): boolean {
  return error instanceof Error && /SQLITE_BUSY|database is locked/i.test(`${(error as { code?: string }).code ?? ''} ${error.message}`);
}
