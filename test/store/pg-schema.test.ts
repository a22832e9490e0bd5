import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { TEMPOLITE_ENTITIES } from '../../entities/index.js';
import { SchemaNotMigratedError, SchemaTooNewError, Tempolite, registerWorkflow, silentLogger } from '../../src/index.js';
import { targetOfUrl } from '../../src/store/postgres/pg-connection.js';
import { openPgDatabase } from '../../src/store/postgres/pg-database.js';
import { countRows } from '../helpers/consistency.js';
import { queryRows } from '../helpers/db-rows.js';
import { dropSchema, freshSchemaUrl, onPostgres, pgServerUrl, schemaOf, withPgClient } from '../helpers/test-store.js';

const echo = registerWorkflow('pg-schema.echo', async (text: string) => text);

describe.runIf(onPostgres)('PostgreSQL schema', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function fresh(): string {
    const url = freshSchemaUrl('schema');
    cleanups.push(() => dropSchema(url));
    return url;
  }

  async function open(url: string) {
    const opened = await openPgDatabase({ target: targetOfUrl(url), synchronous: 'full' });
    cleanups.push(async () => {
      if (opened.dataSource.isInitialized) await opened.dataSource.destroy();
    });
    return opened;
  }

  it('creates the schema and every table, and the entities match the migration exactly', async () => {
    const url = fresh();
    const { dataSource } = await open(url);
    const tables = await queryRows<{ name: string }>(url, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name`, schemaOf(url));
    const entityTables = dataSource.entityMetadatas.map((metadata) => metadata.tableName);
    expect(tables.map((t) => t.name)).toEqual([...entityTables, 'tempolite_migrations'].sort());
    expect(TEMPOLITE_ENTITIES).toHaveLength(entityTables.length);
    expect((await queryRows<{ name: string }>(url, 'SELECT name FROM tempolite_migrations')).map((r) => r.name)).toEqual(['InitialSchema1763800000000', 'DueTaskIndex1764600000000', 'WorkflowDeadline1764700000000', 'SignalConsumedIndex1764800000000', 'SignalIdempotencyKey1764900000000', 'SignalWaitNames1765000000000']);
    const sqlInMemory = await dataSource.driver.createSchemaBuilder().log();
    expect(sqlInMemory.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('several processes opening a fresh database at once migrate it once', async () => {
    const url = fresh();
    await Promise.all([open(url), open(url), open(url)]);
    expect(await queryRows(url, 'SELECT name FROM tempolite_migrations')).toHaveLength(6);
  });

  it('refuses a database migrated by a newer Tempolite and leaves it unchanged', async () => {
    const url = fresh();
    const first = await open(url);
    await first.dataSource.query(`INSERT INTO tempolite_migrations (timestamp, name) VALUES (1900000000000, 'FutureThing1900000000000')`);
    await first.dataSource.destroy();
    const before = await countRows(url);
    const error = await openPgDatabase({ target: targetOfUrl(url), synchronous: 'full' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as SchemaTooNewError).unknownMigrations).toEqual(['FutureThing1900000000000']);
    expect((error as SchemaTooNewError).database).toContain(schemaOf(url));
    expect(await countRows(url)).toEqual(before);
  });

  it('an engine runs on the connection settings of a TypeORM DataSource the application has', async () => {
    const url = fresh();
    const server = new URL(pgServerUrl());
    const appDataSource = new DataSource({
      type: 'postgres',
      host: server.hostname,
      port: Number(server.port || 5432),
      username: decodeURIComponent(server.username),
      password: decodeURIComponent(server.password),
      database: server.pathname.slice(1),
      schema: schemaOf(url),
    });
    const engine = new Tempolite({ dataSource: appDataSource, logger: silentLogger, register: [echo], pollIntervalMs: 50 });
    await engine.start();
    cleanups.push(() => engine.close());
    expect(await (await engine.startWorkflow(echo, ['from a DataSource'])).result()).toBe('from a DataSource');
    expect(appDataSource.isInitialized).toBe(false);
    expect((await countRows(url)).tempolite_workflow_entity).toBe(1);
  });

  it('a migration that fails is a StorageError (migration-failed), rolled back', async () => {
    const url = fresh();
    const first = await open(url);
    await first.dataSource.query(`DELETE FROM tempolite_migrations WHERE name = 'WorkflowDeadline1764700000000'`);
    await first.dataSource.destroy();
    const before = await countRows(url);
    const engine = new Tempolite({ database: url, register: [], logger: silentLogger });
    await expect(engine.start()).rejects.toMatchObject({ name: 'StorageError', problem: 'migration-failed' });
    await engine.close();
    expect(await countRows(url)).toEqual(before);
  });

  it('a first migration that fails on a table of the same name leaves the schema as it was: no migrations table, the table untouched', async () => {
    const url = fresh();
    const schema = schemaOf(url);
    await withPgClient(pgServerUrl(), async (client) => {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`CREATE TABLE ${schema}.tempolite_task (id integer PRIMARY KEY, whatever text)`);
      await client.query(`INSERT INTO ${schema}.tempolite_task VALUES (1, 'mine')`);
    });
    const engine = new Tempolite({ database: url, register: [], logger: silentLogger });
    const error = await engine.start().catch((e: unknown) => e);
    await engine.close();
    expect(error).toMatchObject({ name: 'StorageError', problem: 'migration-failed' });
    expect((error as Error).message).toContain('a table of the same name was there already');
    const tables = await queryRows<{ table_name: string }>(url, 'SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', schema);
    expect(tables.map((t) => t.table_name)).toEqual(['tempolite_task']);
    expect(await queryRows(url, 'SELECT id, whatever FROM tempolite_task')).toEqual([{ id: 1, whatever: 'mine' }]);
  });

  it('with migrate: false, refuses a schema that does not exist (a typo) without creating it, and opens a migrated one', async () => {
    const url = fresh();
    const schemaCount = async () => (await queryRows(url, 'SELECT schema_name FROM information_schema.schemata WHERE schema_name = ?', schemaOf(url))).length;
    const reader = () => new Tempolite({ database: url, migrate: false, workers: false, register: [], logger: silentLogger });
    const refused = reader();
    const error = await refused.start().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    await refused.close();
    expect(error).toBeInstanceOf(SchemaNotMigratedError);
    expect(error).toMatchObject({ code: 'TEMPOLITE_SCHEMA_NOT_MIGRATED', empty: true });
    expect((error as SchemaNotMigratedError).database).toContain(schemaOf(url));
    expect(await schemaCount()).toBe(0);

    const first = await open(url);
    await first.dataSource.undoLastMigration({ transaction: 'all' });
    await first.dataSource.destroy();
    const before = await countRows(url);
    const older = reader();
    await expect(older.start()).rejects.toMatchObject({ code: 'TEMPOLITE_SCHEMA_NOT_MIGRATED', empty: false, pendingMigrations: ['SignalWaitNames1765000000000'] });
    await older.close();
    expect(await countRows(url)).toEqual(before);

    await (await open(url)).dataSource.destroy();
    const ok = reader();
    await ok.start();
    cleanups.push(() => ok.close());
    expect(await ok.list()).toEqual([]);
  });
});
