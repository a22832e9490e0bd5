import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'compensated', 'compensation_failed']);

/** Whether a workflow status is final. */
export function isTerminalStatus(status: string | undefined): boolean {
  return status !== undefined && TERMINAL.has(status);
}

/**
 * Read-only queries of the torture database from the driver, beside the
 * worker's engine (WAL: readers never block the writer). Opens lazily, once the
 * worker has created the file; every query opens and closes its own connection
 * so that nothing in the driver outlives a kill or holds the WAL back.
 */
export class DbProbe {
  constructor(private readonly file: string) {}

  private read<T>(sql: string, ...params: unknown[]): T[] {
    if (!existsSync(this.file)) return [];
    const db = new Database(this.file, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 2000');
      const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'tempolite_workflow_entity'`).get();
      if (!exists) return [];
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  /** Status of each of `ids` that exists. */
  statuses(ids: readonly string[]): Map<string, string> {
    const rows = this.read<{ id: string; status: string }>(
      `SELECT id, status FROM tempolite_workflow_entity WHERE id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(ids),
    );
    return new Map(rows.map((row) => [row.id, row.status]));
  }

  /** Status of a workflow and how many of its activity and saga steps are completed. */
  progress(id: string): { status: string; completedSteps: number } | undefined {
    return this.read<{ status: string; completedSteps: number }>(
      `SELECT w.status AS status,
         (SELECT COUNT(*) FROM tempolite_activity_entity a WHERE a.workflow_id = w.id AND a.status = 'completed') +
         (SELECT COUNT(*) FROM tempolite_saga_entity s WHERE s.workflow_id = w.id AND s.status = 'completed') AS completedSteps
       FROM tempolite_workflow_entity w WHERE w.id = ?`,
      id,
    )[0];
  }
}
