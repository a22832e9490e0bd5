import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Which store this test run uses: vitest.config.ts runs every test file twice,
 * as project `sqlite` and project `postgres` (TEMPOLITE_TEST_STORE=postgres,
 * TEMPOLITE_TEST_PG=the server's URL).
 */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.TEMPOLITE_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** True in the `postgres` project. */
export const onPostgres = TEST_STORE === 'postgres';

/** URL of the test server (the `postgres` project only). */
export function pgServerUrl(): string {
  const url = process.env.TEMPOLITE_TEST_PG;
  if (url === undefined || url === '') throw new Error('TEMPOLITE_TEST_PG is not set (the postgres project sets it; see vitest.config.ts)');
  return url;
}

/** Whether a `database` string names PostgreSQL. */
export function isPostgres(database: string): boolean {
  return /^postgres(ql)?:\/\//.test(database);
}

/** The schema of a test database URL (`?schema=`). */
export function schemaOf(database: string): string {
  const schema = new URL(database).searchParams.get('schema');
  if (schema === null) throw new Error(`no ?schema= in ${database}`);
  return schema;
}

/** A `postgres://…?schema=name` URL for a new, empty schema of the test server (created by the engine on open). */
export function freshSchemaUrl(prefix = 't'): string {
  const url = new URL(pgServerUrl());
  url.searchParams.set('schema', `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`);
  return url.toString();
}

/** Runs `work` with a connection to the test server whose search_path is the database's schema. */
export async function withPgClient<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(database);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({
    connectionString: url.toString(),
    ...(schema !== null ? { options: `-c search_path=${schema}` } : {}),
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (value: string) => Number(value) : (pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown)(oid, format)) },
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(database: string): Promise<void> {
  const schema = schemaOf(database);
  await withPgClient(pgServerUrl(), (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/**
 * A fresh database for one test, in the store of this run: a SQLite file in a
 * new temp folder, or a new schema on the test server. `dir` is a temp folder
 * either way (for ledgers and markers); `cleanup()` removes both.
 */
export function tempDatabase(): { file: string; dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'tempolite-test-'));
  const file = onPostgres ? freshSchemaUrl() : join(dir, 'tempolite.db');
  return {
    dir,
    file,
    cleanup: async () => {
      rmSync(dir, { recursive: true, force: true });
      if (onPostgres) await dropSchema(file);
    },
  };
}
