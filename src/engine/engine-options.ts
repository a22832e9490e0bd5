import { isPostgresUrl, targetOfUrl } from '../store/postgres/pg-connection.js';
import type { DataSource } from 'typeorm';
import type { PayloadCodec } from '../store/codec.js';
import { refuseUnknownKeys } from './option-keys.js';
import type { ServiceContainer } from '../di/service-container.js';
import { InvalidOptionsError } from '../errors.js';
import { describeOptionValue, validatePluggableOptions } from './validate-plugins.js';
import { NOT_STORABLE, isStorableText } from '../store/storable-text.js';
import { MAX_TIMER_MS, type Clock } from './clock.js';
import type { Logger } from './logger.js';

/** A named queue and its limits. */
export interface QueueOptions {
  /**
   * Workflows of this queue running at once, over all workers of the queue: on
   * PostgreSQL every engine (process) sharing the database counts (give them all
   * the same value); on SQLite there is one engine.
   * @default 100
   */
  concurrency?: number | undefined;
  /**
   * Workflows of this queue running at once in this engine (process), within
   * `concurrency`. `0`: this engine runs none of them (it can still start them,
   * e.g. children for a queue that dedicated processes serve).
   * @default concurrency
   */
  workerConcurrency?: number | undefined;
  /**
   * At most `limit` workflow entries (starts, retries, wake-ups) per `intervalMs`,
   * over all workers of the queue (as `concurrency`).
   * @default no limit
   */
  rateLimit?: { limit: number; intervalMs: number } | undefined;
}

/** A queue's limits with defaults applied. */
export interface ResolvedQueue {
  readonly concurrency: number;
  /** Slots of this engine's worker. */
  readonly workerConcurrency: number;
  readonly rateLimit?: { readonly limit: number; readonly intervalMs: number };
}

/** Options of the Tempolite engine. */
export interface TempoliteOptions {
  /**
   * SQLite file path, `':memory:'`, or a PostgreSQL URL
   * (`postgres://user:password@host:5432/db`, or `postgresql://…`) to scale out:
   * any number of engines in any number of processes and machines share it. A
   * `?schema=name` parameter keeps Tempolite's tables in that schema (created if missing; empty is refused).
   * @default './tempolite.db'
   */
  database?: string | undefined;
  /**
   * A TypeORM DataSource the application already has, instead of `database`:
   * Tempolite takes its connection settings (and `schema`) and opens its own
   * small pool, with its own entities and migrations; the DataSource itself is
   * left as it is. `postgres` (or `better-sqlite3`: its file) DataSources only.
   * @default none: `database` is used
   */
  dataSource?: DataSource | undefined;
  /**
   * `full`: a step reported done survives power loss. `normal`: survives a
   * process crash, may lose the last commits on power loss; much faster.
   * On PostgreSQL `normal` turns `synchronous_commit` off for Tempolite's connections.
   * @default 'full'
   */
  durability?: 'full' | 'normal' | undefined;
  /** How long SQLite waits for a lock held by another connection, in ms (not used on PostgreSQL). @default 5000 */
  busyTimeoutMs?: number | undefined;
  /** Queues by name. A queue `default` always exists. @default { default: { concurrency: 100 } } */
  queues?: Record<string, QueueOptions> | undefined;
  /**
   * Classes (and functions registered with the twins) this engine runs.
   * @default every decorated class and registered function of the process
   */
  register?: readonly unknown[] | undefined;
  /** Resolves workflow and activity classes. @default the global tsyringe container */
  container?: ServiceContainer | undefined;
  /** Turns payloads into text and back. @default SuperJsonCodec */
  codec?: PayloadCodec | undefined;
  /** Largest encoded payload (input, output, error), in bytes. @default 4_194_304 (4 MiB) */
  maxPayloadBytes?: number | undefined;
  /**
   * How long a claimed workflow stays leased without a heartbeat, in ms (the
   * heartbeat renews every `leaseMs / 3`). On PostgreSQL it is also how long a
   * dead worker's workflows wait before another worker takes them over. At most 2,147,483,647 (about 24.8 days).
   * @default 30_000
   */
  leaseMs?: number | undefined;
  /** How often idle workers look for work that became due, in ms; at most 2,147,483,647. @default 1000 */
  pollIntervalMs?: number | undefined;
  /** Waits longer than this release the workflow from memory and its queue slot, in ms. @default 5000 */
  suspendAfterMs?: number | undefined;
  /**
   * How long `close()` waits for running workflows to stop, in ms, when its own `timeout` is not given
   * (see `CloseOptions.timeout`); for `TempoliteModule`, whose shutdown calls `close()` without options.
   * @default none: `close()` waits for every running activity
   */
  closeTimeoutMs?: number | undefined;
  /** Source of time. @default the system clock */
  clock?: Clock | undefined;
  /** Where the engine logs; a pino logger fits. @default warnings and errors to the console */
  logger?: Logger | undefined;
  /** Identifies this engine in leases and executions. @default a random id */
  workerId?: string | undefined;
  /**
   * `false` runs the engine in client mode: it opens the database without
   * taking the SQLite process lock, runs no queue workers and releases no
   * leases, but serves every client call (`startWorkflow`, `getHandle`,
   * `list`, `describe`, `retry`, `cancel`, `pause`, `resume`, `signal`, `prune`). Its
   * writes go to the database, where the engine running the workers (another
   * process) picks them up. For CLIs, dashboards and web front ends beside a worker.
   * @default true
   */
  workers?: boolean | undefined;
  /**
   * `true`: `start()` creates Tempolite's tables (and on PostgreSQL the `?schema=`)
   * and runs the migrations the database lacks. `false`: `start()` only opens a
   * database this version has already migrated, and rejects anything else (a
   * mistyped path or schema, an application's own database, one an older
   * Tempolite wrote) with `SchemaNotMigratedError`, creating and changing nothing.
   * For tools pointed at a database by hand (the CLI and the dashboard always
   * run so) and deployments that migrate in a separate step.
   * @default true
   */
  migrate?: boolean | undefined;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly database: string;
  readonly dataSource?: DataSource;
  readonly durability: 'full' | 'normal';
  readonly busyTimeoutMs: number;
  readonly queues: ReadonlyMap<string, ResolvedQueue>;
  readonly maxPayloadBytes: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly suspendAfterMs: number;
  /** `close()`'s timeout when it is given none. */
  readonly closeTimeoutMs?: number;
  /** False in client mode (no workers, no process lock). */
  readonly workers: boolean;
  /** False: open only a database this version has migrated. */
  readonly migrate: boolean;
}

const SUBJECT = 'the Tempolite engine';

const KNOWN = new Set([
  'database', 'durability', 'busyTimeoutMs', 'queues', 'register', 'container', 'codec',
  'maxPayloadBytes', 'leaseMs', 'pollIntervalMs', 'suspendAfterMs', 'closeTimeoutMs', 'clock', 'logger', 'workerId', 'workers',
  'dataSource', 'migrate',
]);

const QUEUE_KEYS: readonly string[] = ['concurrency', 'workerConcurrency', 'rateLimit'];
const RATE_LIMIT_KEYS: readonly string[] = ['limit', 'intervalMs'];

/** Refuses a nested options object that is not an object or has a key it does not know (a typo would be ignored silently). */
function checkKeys(value: unknown, known: readonly string[], path: string): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidOptionsError(SUBJECT, path, `must be an object, got ${describeOptionValue(value)}`);
  refuseUnknownKeys(SUBJECT, value, known, path);
}

/** Validates engine options and applies defaults. @throws InvalidOptionsError */
export function resolveOptions(options: TempoliteOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError(SUBJECT, 'options', 'must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new InvalidOptionsError(SUBJECT, key, 'unknown option');
    // `undefined` is an option left out (its default); `null` is a value, and no option takes it.
    if ((options as Record<string, unknown>)[key] === null) throw new InvalidOptionsError(SUBJECT, key, 'must not be null (leave the option out for its default)');
  }
  validatePluggableOptions(options);
  const database = options.database ?? './tempolite.db';
  if (typeof database !== 'string' || database.length === 0) throw new InvalidOptionsError(SUBJECT, 'database', 'must be a file path or ":memory:"');
  // A malformed URL or schema is the constructor's error, as every other option's, not the first start()'s.
  if (isPostgresUrl(database)) targetOfUrl(database);
  // Another scheme (a typo, another database) would be taken for a file path, and the error would show its password.
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(database)) {
    const scheme = database.slice(0, database.indexOf(':'));
    throw new InvalidOptionsError(SUBJECT, 'database', `is a ${scheme}:// URL: Tempolite takes postgres:// (or postgresql://) URLs and SQLite file paths`);
  }
  const dataSource = options.dataSource;
  if (dataSource !== undefined && (dataSource === null || typeof dataSource !== 'object' || typeof (dataSource as { options?: { type?: unknown } }).options?.type !== 'string')) {
    throw new InvalidOptionsError(SUBJECT, 'dataSource', 'must be a TypeORM DataSource');
  }
  // The DataSource would win silently, and the database the caller named would go unused.
  if (dataSource !== undefined && options.database !== undefined) throw new InvalidOptionsError(SUBJECT, 'dataSource', 'give either database or dataSource, not both');
  const durability = options.durability ?? 'full';
  if (durability !== 'full' && durability !== 'normal') throw new InvalidOptionsError(SUBJECT, 'durability', `must be "full" or "normal", got ${describeOptionValue(durability)}`);
  if (options.register !== undefined) {
    if (!Array.isArray(options.register)) throw new InvalidOptionsError(SUBJECT, 'register', 'must be an array of classes or registered functions');
    // Classes and registered functions are both functions: anything else could only be a mistake.
    const index = options.register.findIndex((entry) => typeof entry !== 'function');
    if (index >= 0) throw new InvalidOptionsError(SUBJECT, `register[${index}]`, `must be a class or a registered function, got ${describeOptionValue(options.register[index])}`);
  }
  const queues = new Map<string, ResolvedQueue>([['default', { concurrency: 100, workerConcurrency: 100 }]]);
  if (options.queues !== undefined) {
    if (options.queues === null || typeof options.queues !== 'object') throw new InvalidOptionsError(SUBJECT, 'queues', 'must be an object keyed by queue name');
    for (const [name, queue] of Object.entries(options.queues)) {
      if (name.length === 0 || name.length > 200) throw new InvalidOptionsError(SUBJECT, 'queues', 'queue names must have 1 to 200 characters');
      if (!isStorableText(name)) throw new InvalidOptionsError(SUBJECT, 'queues', `a queue name ${NOT_STORABLE}`);
      checkKeys(queue, QUEUE_KEYS, `queues.${name}`);
      checkKeys(queue?.rateLimit, RATE_LIMIT_KEYS, `queues.${name}.rateLimit`);
      const concurrency = queue?.concurrency ?? 100;
      positiveInteger(concurrency, `queues.${name}.concurrency`);
      const workerConcurrency = nonNegativeInteger(queue?.workerConcurrency ?? concurrency, `queues.${name}.workerConcurrency`);
      const rate = queue?.rateLimit;
      if (rate !== undefined) {
        positiveInteger(rate?.limit, `queues.${name}.rateLimit.limit`);
        positiveInteger(rate?.intervalMs, `queues.${name}.rateLimit.intervalMs`);
      }
      queues.set(name, { concurrency, workerConcurrency: Math.min(workerConcurrency, concurrency), ...(rate !== undefined ? { rateLimit: { limit: rate.limit, intervalMs: rate.intervalMs } } : {}) });
    }
  }
  return {
    database,
    ...(dataSource !== undefined ? { dataSource } : {}),
    durability,
    busyTimeoutMs: nonNegativeInteger(options.busyTimeoutMs ?? 5000, 'busyTimeoutMs'),
    queues,
    maxPayloadBytes: positiveInteger(options.maxPayloadBytes ?? 4 * 1024 * 1024, 'maxPayloadBytes'),
    leaseMs: timerInterval(options.leaseMs ?? 30_000, 'leaseMs'),
    pollIntervalMs: timerInterval(options.pollIntervalMs ?? 1000, 'pollIntervalMs'),
    suspendAfterMs: nonNegativeInteger(options.suspendAfterMs ?? 5000, 'suspendAfterMs'),
    ...(options.closeTimeoutMs !== undefined ? { closeTimeoutMs: positiveInteger(options.closeTimeoutMs, 'closeTimeoutMs') } : {}),
    workers: booleanOption(options.workers ?? true, 'workers'),
    migrate: booleanOption(options.migrate ?? true, 'migrate'),
  };
}

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new InvalidOptionsError(SUBJECT, path, `must be an integer ≥ 1, got ${describeOptionValue(value)}`);
  return value;
}

/** The longest delay Node's timers keep; a longer one fires after 1 ms, over and over. */

/** A period the engine's timers run on: at most `MAX_TIMER_MS` (about 24.8 days). */
function timerInterval(value: unknown, path: string): number {
  const ms = positiveInteger(value, path);
  if (ms > MAX_TIMER_MS) throw new InvalidOptionsError(SUBJECT, path, `must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest timer Node keeps), got ${ms}`);
  return ms;
}

function nonNegativeInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidOptionsError(SUBJECT, path, `must be an integer ≥ 0, got ${describeOptionValue(value)}`);
  return value;
}

function booleanOption(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionsError(SUBJECT, path, `must be true or false, got ${describeOptionValue(value)}`);
  return value;
}
