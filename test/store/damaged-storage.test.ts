import 'reflect-metadata';
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, StorageError, Tempolite, silentLogger } from '../../src/index.js';
import { StorageFlow } from '../fixtures/storage-flow.js';
import { consistencyProblems } from '../helpers/consistency.js';
import { onPostgres } from '../helpers/test-store.js';

const PROBE = join(import.meta.dirname, '../../dist/test/fixtures/storage-probe.js');
/** The unprivileged user the read-only cases run the engine as when the tests run as root (`nobody`). */
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

interface ProbeLine {
  readonly step: 'start' | 'fill' | 'grow' | 'grown' | 'share' | 'close';
  readonly pid?: number;
  readonly small?: readonly string[];
  readonly big?: string;
  readonly ok: boolean;
  readonly at?: number;
  readonly outcome?: string;
  readonly status?: string;
  readonly error?: { name: string; code: string; problem?: string; sqliteCode?: string; message: string };
}

/** Whether `prlimit` (util-linux) can lift a running process's file size limit here. */
const hasPrlimit = ((): boolean => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Runs the storage probe in a child process: as `nobody` when asked and running
 * as root, or under a shell `ulimit -f` (a soft one, which `onLine` may lift).
 */
async function probe(
  database: string,
  action: 'start' | 'fill' | 'grow' | 'share',
  how: { asNobody?: boolean; fileSizeLimitKiB?: number; onLine?: (line: ProbeLine) => void } = {},
): Promise<ProbeLine[]> {
  const node = [process.execPath, PROBE, database, action];
  // `trap '' XFSZ`: past the limit, writes fail with EFBIG instead of the signal killing the process (the ignore survives exec).
  const command = how.fileSizeLimitKiB === undefined ? node : ['bash', '-c', `trap '' XFSZ; ulimit -S -f ${how.fileSizeLimitKiB}; exec "$@"`, 'probe', ...node];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...(how.asNobody && isRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const before = out.split('\n').length - 1;
    out += chunk.toString('utf8');
    const lines = out.split('\n');
    for (const line of lines.slice(before, -1)) how.onLine?.(JSON.parse(line) as ProbeLine);
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the probe exited with ${String(code)}: ${err}`);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ProbeLine);
}

/** A folder with a database holding `count` completed workflows, checkpointed into the main file (no -wal left). */
async function seededDatabase(count: number): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tempolite-damaged-'));
  const file = join(dir, 'tempolite.db');
  const engine = new Tempolite({ database: file, register: [StorageFlow], logger: silentLogger, pollIntervalMs: 20 });
  await engine.start();
  for (let i = 0; i < count; i++) await (await engine.startWorkflow(StorageFlow, 'run', ['y'.repeat(1000 + i)], { id: `done-${i}` })).result();
  await engine.close();
  return { dir, file };
}

/** The earlier workflows are all there and completed, read through a fresh engine; the file passes every check. */
async function expectIntact(file: string, count: number): Promise<void> {
  expect(consistencyProblems(file)).toEqual([]);
  const engine = new Tempolite({ database: file, register: [StorageFlow], logger: silentLogger, pollIntervalMs: 20 });
  await engine.start();
  try {
    for (let i = 0; i < count; i++) expect(await (await engine.getHandle<number>(`done-${i}`)).result()).toBe(1000 + i);
  } finally {
    await engine.close();
  }
}

/** Starting an engine on the file fails with a StorageError of `problem`, and leaves the file byte for byte as it was. */
async function expectRefused(file: string, problem: StorageError['problem']): Promise<StorageError> {
  const before = readFileSync(file);
  const engine = new Tempolite({ database: file, register: [StorageFlow], logger: silentLogger });
  const error = await engine.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  await engine.close();
  expect(error).toBeInstanceOf(StorageError);
  expect(error).toMatchObject({ code: ErrorCode.Storage, problem, database: file });
  expect(readFileSync(file).equals(before)).toBe(true);
  return error as StorageError;
}

describe.skipIf(onPostgres)('damaged storage: the engine refuses it with a StorageError and corrupts nothing', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a truncated database file: start() fails with StorageError "corrupt" (TEMPOLITE_STORAGE), the file untouched, and again on a second try', async () => {
    const { dir, file } = await seededDatabase(20);
    dirs.push(dir);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const error = await expectRefused(file, 'corrupt');
    expect(error.sqliteCode).toMatch(/^SQLITE_CORRUPT/);
    expect(error.message).toContain(file);
    // The refused start released everything: the same error again, not DatabaseInUseError.
    await expectRefused(file, 'corrupt');
  });

  it('a garbage file: start() fails with StorageError "not-a-database", the file untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempolite-damaged-'));
    dirs.push(dir);
    const file = join(dir, 'tempolite.db');
    writeFileSync(file, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 251)));
    const error = await expectRefused(file, 'not-a-database');
    expect(error.sqliteCode).toBe('SQLITE_NOTADB');
  });

  it('a database in a folder that does not exist: start() fails with StorageError "cannot-open"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempolite-damaged-'));
    dirs.push(dir);
    const engine = new Tempolite({ database: join(dir, 'missing', 'tempolite.db'), logger: silentLogger });
    await expect(engine.start()).rejects.toMatchObject({ name: 'StorageError', code: ErrorCode.Storage, problem: 'cannot-open' });
    await engine.close();
  });

  it('a read-only database file (chmod 0444, the engine running as an unprivileged user): StorageError "read-only", the file untouched and readable later', async () => {
    const { dir, file } = await seededDatabase(10);
    dirs.push(dir);
    // The folder stays writable (SQLite may create its -wal/-shm files there); only the database file is read-only.
    chmodSync(dir, 0o777);
    chmodSync(file, 0o444);
    const before = readFileSync(file);
    const [start] = await probe(file, 'start', { asNobody: true });
    expect(start).toMatchObject({ step: 'start', ok: false, error: { name: 'StorageError', code: ErrorCode.Storage, problem: 'read-only' } });
    expect(readFileSync(file).equals(before)).toBe(true);
    chmodSync(file, 0o644);
    await expectIntact(file, 10);
  });

  it('a read-only folder (no -wal, -shm or lock file can be created): StorageError "cannot-open", nothing written', async () => {
    const { dir, file } = await seededDatabase(5);
    dirs.push(dir);
    rmSync(`${file}-tempolite-lock`, { force: true });
    const before = readFileSync(file);
    chmodSync(dir, 0o555);
    const [start] = await probe(file, 'start', { asNobody: true });
    expect(start).toMatchObject({ step: 'start', ok: false, error: { name: 'StorageError', code: ErrorCode.Storage } });
    expect(['cannot-open', 'read-only']).toContain(start!.error!.problem);
    chmodSync(dir, 0o755);
    expect(readFileSync(file).equals(before)).toBe(true);
    await expectIntact(file, 5);
  });

  it('a full disk (a file size limit): a start that cannot be written fails with a StorageError and writes nothing; what was there stays intact', async () => {
    const { dir, file } = await seededDatabase(10);
    dirs.push(dir);
    const limitKiB = Math.ceil(statSync(file).size / 1024) + 300;
    const lines = await probe(file, 'fill', { fileSizeLimitKiB: limitKiB });
    expect(lines[0]).toMatchObject({ step: 'start', ok: true });
    const fill = lines.find((line) => line.step === 'fill')!;
    expect(fill, JSON.stringify(lines)).toMatchObject({ ok: false, error: { name: 'StorageError', code: ErrorCode.Storage } });
    expect(['full', 'io']).toContain(fill.error!.problem);
    expect(fill.at!).toBeGreaterThan(0);
    // The refused start left no row; the ones before it completed.
    const db = new Database(file, { readonly: true });
    try {
      const ids = (db.prepare(`SELECT id FROM tempolite_workflow_entity WHERE id LIKE 'fill-%'`).all() as { id: string }[]).map((row) => row.id);
      expect(ids.sort()).toEqual(Array.from({ length: fill.at! }, (_, i) => `fill-${i}`).sort());
    } finally {
      db.close();
    }
    await expectIntact(file, 10);
  });

  // The failed run keeps its lease; the queue worker runs it again after a pause, and then the write fits.
  it.runIf(hasPrlimit)('a workflow whose step result hit a full disk completes once the disk has room again, without a restart', async () => {
    const { dir, file } = await seededDatabase(2);
    dirs.push(dir);
    const lines = await probe(file, 'grow', {
      fileSizeLimitKiB: Math.ceil(statSync(file).size / 1024) + 200,
      onLine: (line) => {
        if (line.step === 'grow') execFileSync('prlimit', ['--pid', String(line.pid), '--fsize=unlimited:']);
      },
    });
    expect(lines.find((line) => line.step === 'grow')).toMatchObject({ ok: true });
    expect(lines.find((line) => line.step === 'grown'), JSON.stringify(lines)).toMatchObject({ ok: true, outcome: 'completed' });
    // The refused write is not recorded as the workflow's failure: it was rolled back (with the execution's start when
    // they shared the commit) or left interrupted, and the run again completed.
    const db = new Database(file, { readonly: true });
    try {
      const executions = db.prepare(`SELECT status FROM tempolite_workflow_execution WHERE workflow_id = 'grow-1' ORDER BY attempt`).all() as { status: string }[];
      expect(executions.map((e) => e.status)).toEqual([...executions.slice(1).map(() => 'interrupted'), 'completed']);
    } finally {
      db.close();
    }
    await expectIntact(file, 2);
  }, 30_000);

  it('a write that does not fit fails alone: the workflows whose writes shared its commit go on and complete', async () => {
    const { dir, file } = await seededDatabase(2);
    dirs.push(dir);
    const lines = await probe(file, 'share', { fileSizeLimitKiB: Math.ceil(statSync(file).size / 1024) + 200 });
    const share = lines.find((line) => line.step === 'share');
    expect(share, JSON.stringify(lines)).toMatchObject({ ok: true, outcome: 'completed', small: Array.from({ length: 8 }, () => 'completed') });
    expect(share!.big).not.toBe('completed');
    expect(consistencyProblems(file)).toEqual([]);
  }, 30_000);

  it('a fresh database under a file size limit too small for its schema: start() fails with a StorageError, nothing half-created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempolite-damaged-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'db'));
    const file = join(dir, 'db', 'tempolite.db');
    const [start] = await probe(file, 'start', { fileSizeLimitKiB: 24 });
    expect(start).toMatchObject({ step: 'start', ok: false, error: { name: 'StorageError', code: ErrorCode.Storage } });
    // Migrations run in one transaction: the file has no Tempolite table, or all of them.
    const db = new Database(file, { readonly: true });
    try {
      const tables = db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name LIKE 'tempolite_%'`).get() as { n: number };
      expect(tables.n).toBe(0);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
