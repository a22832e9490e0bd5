import { EngineStateError, StorageError, TempoliteError, type StorageProblem } from '../errors.js';

/** SQLite result codes (primary or extended) and what they mean for the file. */
const BY_CODE: ReadonlyArray<readonly [RegExp, StorageProblem]> = [
  [/^SQLITE_CORRUPT/, 'corrupt'],
  [/^SQLITE_NOTADB$/, 'not-a-database'],
  [/^SQLITE_READONLY/, 'read-only'],
  [/^SQLITE_FULL$/, 'full'],
  [/^SQLITE_CANTOPEN/, 'cannot-open'],
  [/^SQLITE_(IOERR|PERM)/, 'io'],
  [/^SQLITE_(BUSY|LOCKED)/, 'busy'],
];

/** Whether an error of the SQLite driver says the write lock could not be had within the busy timeout. */
export function isBusy(error: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(sqliteCodeOf(error) ?? '');
}

/** The SQLite code of a better-sqlite3 error, or of one TypeORM wrapped (`driverError`). */
export function sqliteCodeOf(error: unknown): string | undefined {
  for (const candidate of [error, (error as { driverError?: unknown } | null)?.driverError]) {
    const code = (candidate as { code?: unknown } | null | undefined)?.code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return undefined;
}

/**
 * The StorageError an error from the SQLite driver stands for, or `error`
 * itself when it is not a storage problem (a constraint, a Tempolite error...).
 * @param database named in the error, e.g. the file path
 */
export function asStorageError(error: unknown, database: string): unknown {
  if (error instanceof TempoliteError) return error;
  const code = sqliteCodeOf(error);
  const problem = code === undefined ? undefined : BY_CODE.find(([pattern]) => pattern.test(code))?.[1];
  if (problem !== undefined) return new StorageError(database, problem, code, error);
  // better-sqlite3 checks the folder itself before SQLite sees the path.
  if (error instanceof TypeError && /directory does not exist/i.test(error.message)) return new StorageError(database, 'cannot-open', undefined, error);
  return error;
}

const closedEngineErrors = new WeakSet<Error>();

/** What a store call gets once its engine closed: a body `close({ timeout })` left behind, still running. */
export function closedEngineError(): EngineStateError {
  const error = new EngineStateError('The engine was closed: nothing this workflow does now is recorded, and the next engine recovers it.');
  closedEngineErrors.add(error);
  return error;
}

/** Whether `error` is a store's answer to a body its closed engine left behind (`closedEngineError`). */
export function isClosedEngineError(error: unknown): boolean {
  return error instanceof Error && closedEngineErrors.has(error);
}

/** `error`, or `closedEngineError()` when it is pg's refusal of a pool that the engine's close() ended. */
export function unlessPoolEnded(error: unknown): unknown {
  return error instanceof Error && error.message === 'Cannot use a pool after calling end on the pool' ? closedEngineError() : error;
}

/** Socket errors of a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** pg's own words for a connection that ended or could not be had in time. */
const CONNECTION_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed/;

/** Whether an error of `pg` says the server could not be reached or the connection was lost (not what a statement did). */
export function isPgConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  // SQLSTATE class 08 (connection exception), and the server shutting down or starting up (57P01-57P03).
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) return true;
  return CONNECTION_MESSAGES.test(error.message);
}

/**
 * What a PostgreSQL store call rejects with: `closedEngineError()` for the pool its engine's close() ended, a
 * StorageError (`cannot-connect`) for a server it cannot reach or a connection it lost, else `error`.
 * @param database named in the StorageError (the URL without its password)
 */
export function asPgStoreError(error: unknown, database: string): unknown {
  const unlessEnded = unlessPoolEnded(error);
  if (unlessEnded !== error) return unlessEnded;
  return isPgConnectionError(error) ? new StorageError(database, 'cannot-connect', undefined, error) : error;
}
