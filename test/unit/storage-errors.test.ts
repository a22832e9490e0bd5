import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidOptionsError, StorageError } from '../../src/errors.js';
import { asStorageError } from '../../src/store/storage-errors.js';

/** A driver error as better-sqlite3 throws it (TypeORM wraps it as `driverError`). */
function sqliteError(code: string): Error {
  return Object.assign(new Error(`failed with ${code}`), { name: 'SqliteError', code });
}

describe('asStorageError', () => {
  it.each([
    ['SQLITE_CORRUPT', 'corrupt'],
    ['SQLITE_CORRUPT_INDEX', 'corrupt'],
    ['SQLITE_NOTADB', 'not-a-database'],
    ['SQLITE_READONLY', 'read-only'],
    ['SQLITE_READONLY_DBMOVED', 'read-only'],
    ['SQLITE_FULL', 'full'],
    ['SQLITE_CANTOPEN', 'cannot-open'],
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_IOERR_SHMSIZE', 'io'],
    ['SQLITE_PERM', 'io'],
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
    ['SQLITE_LOCKED', 'busy'],
  ])('maps %s to a StorageError "%s" naming the database and keeping the driver error', (code, problem) => {
    const cause = sqliteError(code);
    const mapped = asStorageError(cause, '/data/app.db');
    expect(mapped).toBeInstanceOf(StorageError);
    expect(mapped).toMatchObject({ code: ErrorCode.Storage, problem, sqliteCode: code, database: '/data/app.db', cause });
    expect((mapped as Error).message).toContain('/data/app.db');
    // Wrapped by TypeORM: the code is read from driverError.
    expect(asStorageError(Object.assign(new Error('QueryFailedError'), { driverError: cause }), 'x')).toMatchObject({ problem });
  });

  it('maps better-sqlite3 refusing a missing folder to "cannot-open"', () => {
    expect(asStorageError(new TypeError('Cannot open database because the directory does not exist'), 'x')).toMatchObject({ problem: 'cannot-open' });
  });

  it('leaves other errors as they are: constraints, Tempolite errors, anything else', () => {
    for (const error of [sqliteError('SQLITE_CONSTRAINT_UNIQUE'), new InvalidOptionsError('s', 'p', 'r'), new TypeError('x'), 'text', undefined]) {
      expect(asStorageError(error, 'x')).toBe(error);
    }
  });
});
