import 'reflect-metadata';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, Tempolite } from '../../src/index.js';
import { resolveOptions } from '../../src/engine/engine-options.js';
import { DataSource } from 'typeorm';
import { isPostgresUrl, targetOfDataSource, targetOfUrl } from '../../src/store/postgres/pg-connection.js';

describe('scale-out options', () => {
  it('workerConcurrency defaults to the queue concurrency and never exceeds it', () => {
    const resolved = resolveOptions({ queues: { a: { concurrency: 8 }, b: { concurrency: 8, workerConcurrency: 3 }, c: { concurrency: 2, workerConcurrency: 5 } } });
    expect(resolved.queues.get('a')).toMatchObject({ concurrency: 8, workerConcurrency: 8 });
    expect(resolved.queues.get('b')).toMatchObject({ concurrency: 8, workerConcurrency: 3 });
    expect(resolved.queues.get('c')).toMatchObject({ concurrency: 2, workerConcurrency: 2 });
    expect(resolved.queues.get('default')).toMatchObject({ concurrency: 100, workerConcurrency: 100 });
    expect(resolveOptions({ queues: { d: { workerConcurrency: 0 } } }).queues.get('d')).toMatchObject({ concurrency: 100, workerConcurrency: 0 });
  });

  it.each([-1, 1.5, '3'])('workerConcurrency %o is an InvalidOptionsError', (value) => {
    expect(() => new Tempolite({ database: ':memory:', queues: { q: { workerConcurrency: value as number } } })).toThrow(InvalidOptionsError);
  });

  it("console.log of an engine shows its database without a PostgreSQL password", () => {
    const engine = new Tempolite({ database: 'postgres://ana:secret@db.example:5433/app?schema=flows', workers: false });
    const shown = inspect(engine);
    expect(shown).toBe('Tempolite { database: postgres://ana:***@db.example:5433/app?schema=flows, running: false }');
    expect(inspect({ nested: engine })).not.toContain('secret');
    const byParameter = new Tempolite({ database: 'postgres://ana@db.example/app?password=secret&sslmode=disable', workers: false });
    expect(inspect(byParameter)).toBe('Tempolite { database: postgres://ana@db.example/app?password=***&sslmode=disable, running: false }');
  });

  it('leaseMs and pollIntervalMs longer than a Node timer keeps are refused', () => {
    expect(() => new Tempolite({ database: ':memory:', leaseMs: 2_147_483_648 })).toThrow(/leaseMs.*at most 2147483647/);
    expect(() => new Tempolite({ database: ':memory:', pollIntervalMs: 7_000_000_000 })).toThrow(InvalidOptionsError);
    expect(() => new Tempolite({ database: ':memory:', leaseMs: 2_147_483_647 })).not.toThrow();
  });

  it('a malformed PostgreSQL URL or ?schema= is refused by the constructor, not at start()', () => {
    for (const [database, path] of [
      ['postgres://ana@127.0.0.1:1/app?schema=', 'schema'],
      ['postgres://ana@127.0.0.1:1/app?schema=Bad-Name', 'schema'],
      ['postgres://[bad', 'database'],
      ['postgres://ana@127.0.0.1:1/app?schema=one&schema=two', 'schema'],
      // A mistyped scheme is no file path: refused, and the password is not shown.
      ['postgress://ana:secret@127.0.0.1:1/app', 'database'],
      ['mysql://ana:secret@127.0.0.1:1/app', 'database'],
    ] as const) {
      const error = (() => {
        try {
          new Tempolite({ database });
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error, database).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).path, database).toBe(path);
      expect((error as Error).message).not.toContain('secret');
    }
  });

  it('dataSource must be a TypeORM DataSource', () => {
    for (const value of [5, {}, { options: {} }, null]) {
      expect(() => new Tempolite({ dataSource: value as never })).toThrow(InvalidOptionsError);
    }
  });

  it("dataSource and database together are refused; a DataSource url's ?schema= is honoured, and must agree with its schema option", () => {
    const url = 'postgres://ana:secret@db.example:5433/app';
    const fromUrl = new DataSource({ type: 'postgres', url: `${url}?schema=flows` });
    expect(() => new Tempolite({ database: './x.db', dataSource: fromUrl })).toThrow(/either database or dataSource, not both/);
    const target = targetOfDataSource(fromUrl);
    expect(target.schema).toBe('flows');
    expect(target.connection.url).toBe(url);
    expect(target.label).toBe('PostgreSQL ana@db.example:5433/app (schema flows) (from a DataSource)');
    expect(targetOfDataSource(new DataSource({ type: 'postgres', url: `${url}?schema=flows`, schema: 'flows' })).schema).toBe('flows');
    expect(() => targetOfDataSource(new DataSource({ type: 'postgres', url: `${url}?schema=flows`, schema: 'other' }))).toThrow(/"other" but the DataSource's url says \?schema=flows/);
    expect(targetOfDataSource(new DataSource({ type: 'postgres', url })).schema).toBeUndefined();
  });

  it('postgres:// and postgresql:// URLs select PostgreSQL; the label hides the password; the schema must be a plain identifier', () => {
    expect(isPostgresUrl('postgres://db/app')).toBe(true);
    expect(isPostgresUrl('postgresql://db/app')).toBe(true);
    expect(isPostgresUrl('./postgres.db')).toBe(false);
    const target = targetOfUrl('postgres://ana:secret@db.example:5433/app?schema=flows&sslmode=disable');
    expect(target.label).toBe('PostgreSQL ana@db.example:5433/app (schema flows)');
    expect(target.schema).toBe('flows');
    expect(target.connection.url).toBe('postgres://ana:secret@db.example:5433/app?sslmode=disable');
    expect(() => targetOfUrl('postgres://db.example/app?schema=Robert%27);DROP')).toThrow(InvalidOptionsError);
    // An empty ?schema= is a variable left empty, not the default schema.
    expect(() => targetOfUrl('postgres://db.example/app?schema=')).toThrow(/"schema".*is empty/);
    expect(targetOfUrl('postgres://db.example/app').schema).toBeUndefined();
  });
});
