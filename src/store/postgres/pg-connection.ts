import type { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { InvalidOptionsError } from '../../errors.js';

/** Whether a `database` option names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/**
 * `database` as it may be shown (a page, `console.log` of an engine): a PostgreSQL URL without its password,
 * also one given as the `?password=` parameter the `pg` driver reads.
 */
export function shownDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database;
  try {
    const url = new URL(database);
    if (url.password !== '') url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    return 'PostgreSQL';
  }
}

/** Connection settings taken over from a URL or a DataSource. */
export type PgConnectionSettings = Pick<PostgresDataSourceOptions, 'url' | 'host' | 'port' | 'username' | 'password' | 'database' | 'ssl' | 'connectTimeoutMS'> & {
  readonly extra?: Record<string, unknown>;
};

/** Where a PostgreSQL store connects: TypeORM connection options, the schema, and a label without secrets. */
export interface PgTarget {
  /** Connection options for TypeORM's `postgres` driver (no entities, no migrations). */
  readonly connection: PgConnectionSettings;
  /** Schema holding Tempolite's tables; undefined: the connection's current schema. */
  readonly schema: string | undefined;
  /** Human label: server and database, without the password. */
  readonly label: string;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

function checkSchema(schema: string | undefined, subject: string): string | undefined {
  if (schema === undefined || schema === '') return undefined;
  if (!SCHEMA.test(schema)) throw new InvalidOptionsError(subject, 'schema', `must be a lower-case SQL identifier (letters, digits, _), got "${schema}"`);
  return schema;
}

/**
 * A `postgres://user:password@host:port/database?schema=name` URL. `schema` is
 * Tempolite's own parameter (the tables live there, created if missing);
 * every other parameter goes to the `pg` driver as given.
 */
export function targetOfUrl(database: string): PgTarget {
  let url: URL;
  try {
    url = new URL(database);
  } catch {
    throw new InvalidOptionsError('the Tempolite engine', 'database', 'is not a valid postgres:// URL');
  }
  if (url.searchParams.getAll('schema').length > 1) throw new InvalidOptionsError('the Tempolite engine (database URL)', 'schema', 'is given more than once: give one ?schema=');
  const given = url.searchParams.get('schema');
  // `?schema=` with nothing after it is a mistake (a variable left empty), not a request for the default schema.
  if (given === '') throw new InvalidOptionsError('the Tempolite engine (database URL)', 'schema', 'is empty: give a schema name, or leave out ?schema= for the default schema');
  const schema = checkSchema(given ?? undefined, 'the Tempolite engine (database URL)');
  url.searchParams.delete('schema');
  const host = `${url.hostname}${url.port === '' ? '' : `:${url.port}`}`;
  const user = url.username === '' ? '' : `${decodeURIComponent(url.username)}@`;
  const label = `PostgreSQL ${user}${host}${url.pathname}${schema === undefined ? '' : ` (schema ${schema})`}`;
  return { connection: { url: url.toString() }, schema, label };
}

/**
 * The connection settings of a TypeORM DataSource the application already has:
 * Tempolite opens its own small pool with them (its entities and migrations stay
 * out of the application's DataSource), in the DataSource's `schema` (or its url's
 * `?schema=`) if it has one.
 */
export function targetOfDataSource(dataSource: DataSource): PgTarget {
  const options = dataSource.options as PostgresDataSourceOptions;
  // TypeORM passes a URL's ?schema= to the driver, which ignores it; Tempolite's own URLs honour it, so this one does too.
  const fromUrl = options.url !== undefined ? targetOfUrl(options.url) : undefined;
  const optionSchema = checkSchema(options.schema, 'the Tempolite engine (dataSource)');
  if (optionSchema !== undefined && fromUrl?.schema !== undefined && optionSchema !== fromUrl.schema) {
    throw new InvalidOptionsError('the Tempolite engine (dataSource)', 'schema', `is "${optionSchema}" but the DataSource's url says ?schema=${fromUrl.schema}`);
  }
  const schema = optionSchema ?? fromUrl?.schema;
  const connection: PgConnectionSettings = {
    ...(fromUrl !== undefined ? { url: fromUrl.connection.url } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.database !== undefined ? { database: options.database } : {}),
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    ...(options.connectTimeoutMS !== undefined ? { connectTimeoutMS: options.connectTimeoutMS } : {}),
    ...(options.extra !== undefined ? { extra: options.extra as Record<string, unknown> } : {}),
  };
  const where = fromUrl !== undefined ? fromUrl.label.replace(/^PostgreSQL /, '').replace(/ \(schema [^)]*\)$/, '') : `${options.host ?? 'localhost'}:${options.port ?? 5432}/${options.database ?? ''}`;
  return { connection, schema, label: `PostgreSQL ${where}${schema === undefined ? '' : ` (schema ${schema})`} (from a DataSource)` };
}
