import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { StorageError, Tempolite, silentLogger } from '../../src/index.js';
import { onPostgres, pgServerUrl } from '../helpers/test-store.js';

/** Starts an engine on `url` and returns what start() threw. */
async function startFailure(url: string): Promise<unknown> {
  const engine = new Tempolite({ database: url, logger: silentLogger });
  try {
    await engine.start();
  } catch (error) {
    return error;
  } finally {
    await engine.close();
  }
  throw new Error('start() did not throw');
}

describe('a PostgreSQL database that cannot be reached', () => {
  it('no server on the port: start() fails with a StorageError "cannot-connect" naming the server, not the password', async () => {
    const error = await startFailure('postgres://someone:secret-pw@127.0.0.1:1/nowhere');
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'TEMPOLITE_STORAGE', problem: 'cannot-connect', database: expect.stringContaining('127.0.0.1:1/nowhere') as unknown });
    expect((error as StorageError).message).not.toContain('secret-pw');
    expect((error as StorageError).cause).toBeInstanceOf(Error);
  });

  it.runIf(onPostgres)('refused credentials: the same StorageError, without the password', async () => {
    const wrong = new URL(pgServerUrl());
    wrong.password = 'not-the-password';
    const error = await startFailure(wrong.toString());
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ problem: 'cannot-connect' });
    expect((error as StorageError).message).toMatch(/password authentication failed/);
    expect((error as StorageError).message).not.toContain('not-the-password');
  });
});
