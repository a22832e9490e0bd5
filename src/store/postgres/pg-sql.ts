import { createHash } from 'node:crypto';
import type { QueryResultRow } from 'pg';
import { asPgStoreError, unlessPoolEnded } from '../storage-errors.js';

/** What `PgSql` runs statements on: a pool (one statement, autocommit) or a client inside a transaction. */
export interface PgQueryable {
  query<R extends QueryResultRow>(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: R[]; rowCount: number | null }>;
}

const names = new Map<string, string>();

/** Prefix of the NOTIFY payload that names a queue with due work. */
export const WORK = 'w:';
/** Prefix of the NOTIFY payload that names a finished workflow. */
export const FINISHED = 'f:';
/** Prefix of the NOTIFY payload that names a workflow that received a signal. */
export const SIGNALLED = 's:';
/** Prefix of the NOTIFY payload that names a workflow whose task got a cancel or pause request, or lost one. */
export const CONTROLLED = 'c:';

/**
 * A stable name per SQL text, so PostgreSQL parses and plans each statement
 * once per connection (named prepared statements) instead of on every call.
 */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `tl_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
    names.set(text, name);
  }
  return name;
}

/** One statement and its parameters, for `PgSql.combined`. */
export interface SqlPart {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** A statement part. */
export function part(text: string, ...values: unknown[]): SqlPart {
  return { text, values };
}

/**
 * Runs SQL with `$n` parameters, as prepared statements, on a pool or a
 * transaction's client; collects the queues to notify when the transaction commits.
 */
export class PgSql {
  /** NOTIFY payloads (`w:queue`, `f:workflowId`, `s:workflowId`) to send when this transaction commits. */
  readonly notified = new Set<string>();

  /**
   * @param database the store's label: a statement on the pool that meets a lost connection then rejects with a
   *   StorageError naming it (inside a transaction, the writer that runs it says so for the whole batch)
   */
  constructor(
    private readonly db: PgQueryable,
    private readonly database?: string,
  ) {}

  /** Runs a statement; resolves to the number of rows it changed. */
  async run(text: string, ...values: unknown[]): Promise<number> {
    const result = await this.query(text, values);
    return result.rowCount ?? 0;
  }

  /** The first row of a query, if any. */
  async get<T>(text: string, ...values: unknown[]): Promise<T | undefined> {
    const result = await this.query(text, values);
    return result.rows[0] as T | undefined;
  }

  /** Every row of a query. */
  async all<T>(text: string, ...values: unknown[]): Promise<T[]> {
    const result = await this.query(text, values);
    return result.rows as T[];
  }

  private async query(text: string, values: unknown[]): Promise<{ rowCount: number | null; rows: QueryResultRow[] }> {
    try {
      return await this.db.query<QueryResultRow>({ name: statementName(text), text, values });
    } catch (error) {
      // A body that close({ timeout }) left behind reads and writes on the ended pool.
      throw this.database === undefined ? unlessPoolEnded(error) : asPgStoreError(error, this.database);
    }
  }

  /**
   * Runs several independent writes as one statement (one round trip): each
   * becomes a data-modifying CTE of the last one, which may return rows. They
   * see one snapshot, so none may depend on another's effect (e.g. update a row
   * another inserts), and no two may change the same row.
   */
  async combined<T>(parts: readonly SqlPart[], last: SqlPart = { text: 'SELECT 1 AS done', values: [] }): Promise<T[]> {
    if (parts.length === 0) return this.all<T>(last.text, ...last.values);
    const values: unknown[] = [];
    const renumber = (part: SqlPart): string => {
      const offset = values.length;
      values.push(...part.values);
      return part.text.replace(/\$(\d+)/g, (_match, n: string) => `$${Number(n) + offset}`);
    };
    const ctes = parts.map((part, index) => `p${index} AS (${renumber(part)})`);
    return this.all<T>(`WITH ${ctes.join(', ')} ${renumber(last)}`, ...values);
  }

  /** Asks for a NOTIFY of `queue` when the transaction commits (other processes' workers then claim at once). */
  notify(queue: string | undefined): void {
    if (queue !== undefined) this.notified.add(`${WORK}${queue}`);
  }

  /** Asks for a NOTIFY that `workflowId` reached a terminal status (clients waiting on it in other processes). */
  finished(workflowId: string): void {
    this.notified.add(`${FINISHED}${workflowId}`);
  }

  /** Asks for a NOTIFY that `workflowId` received a signal (its body may wait for it in another process's memory). */
  signalled(workflowId: string): void {
    this.notified.add(`${SIGNALLED}${workflowId}`);
  }

  /** Asks for a NOTIFY that the cancel or pause request on `workflowId`'s task changed (its body may run in another process). */
  controlled(workflowId: string): void {
    this.notified.add(`${CONTROLLED}${workflowId}`);
  }
}
