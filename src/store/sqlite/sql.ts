import type BetterSqlite3 from 'better-sqlite3';

/** Runs SQL through a store's cache of prepared statements. */
export class Sql {
  constructor(private readonly prepare: (sql: string) => BetterSqlite3.Statement) {}

  run(sql: string, ...params: unknown[]): BetterSqlite3.RunResult {
    return this.prepare(sql).run(...params);
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.prepare(sql).all(...params) as T[];
  }

  iterate<T>(sql: string, ...params: unknown[]): IterableIterator<T> {
    return this.prepare(sql).iterate(...params) as IterableIterator<T>;
  }

  /**
   * Wakes the task of workflow `target` (SQL: `?` or a subquery taking one
   * parameter): bumps its wake-up counter (a body running now suspends into a
   * new run instead of a sleep) and, unless a worker holds it, makes it
   * claimable now.
   * @returns the task's queue, if the workflow has a task (a paused one has none)
   */
  wake(target: string, param: string, now: number): string | undefined {
    return this.get<{ queue: string }>(
      `UPDATE tempolite_task SET wakeups = wakeups + 1,
         available_at = CASE WHEN owner IS NULL AND (available_at IS NULL OR available_at > ?) THEN ? ELSE available_at END
       WHERE workflow_id = ${target} RETURNING queue`,
      now, now, param,
    )?.queue;
  }

  /** Bumps the wake-up counter of a workflow's task only: it runs at its own time, and a body running now runs again at once. */
  bumpWakeups(workflowId: string): void {
    this.run(`UPDATE tempolite_task SET wakeups = wakeups + 1 WHERE workflow_id = ?`, workflowId);
  }
}
