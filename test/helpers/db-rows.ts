import Database from 'better-sqlite3';
import { isPostgres, withPgClient } from './test-store.js';

/**
 * Rows of a read-only query straight from a test database, SQLite file or
 * PostgreSQL schema alike. Write `?` for parameters and quote camelCase aliases
 * (`AS "stepId"`); bigint columns come back as numbers on both.
 */
export async function queryRows<T>(database: string, sql: string, ...params: unknown[]): Promise<T[]> {
  if (isPostgres(database)) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    return withPgClient(database, async (client) => (await client.query(text, params)).rows as T[]);
  }
  const db = new Database(database, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Runs a write straight on a test database (what another process, e.g. an admin tool, would do). */
export async function execute(database: string, sql: string, ...params: unknown[]): Promise<void> {
  if (isPostgres(database)) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    await withPgClient(database, (client) => client.query(text, params));
    return;
  }
  const db = new Database(database, { timeout: 5000 });
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}
