import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tempolite, silentLogger } from '../../src/index.js';
import { OperatorFlow } from '../fixtures/operator-flow.js';
import { CLI, cli, type CliRun } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { startOperatorWorker, type OperatorWorker } from '../helpers/operator-worker.js';
import { tempDatabase } from '../helpers/temp-db.js';


function parse<T>(run: CliRun): T {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('the tempolite CLI on a database a worker engine runs on (another process)', () => {
  const temp = tempDatabase();
  const fixFile = join(temp.dir, 'fix-deployed');
  let worker: OperatorWorker;
  let client: Tempolite;
  const db = (): string[] => ['--db', temp.file];

  beforeAll(async () => {
    worker = await startOperatorWorker(temp.file, fixFile);
    // The test's own client: starts the workflows the CLI then looks at and acts on.
    client = new Tempolite({ database: temp.file, workers: false, register: [OperatorFlow], logger: silentLogger, pollIntervalMs: 25 });
    await client.start();
    await client.startWorkflow(OperatorFlow, 'fragileFlow', [], { id: 'fragile-1' });
    await client.startWorkflow(OperatorFlow, 'order', ['book'], { id: 'order-1' });
    await client.startWorkflow(OperatorFlow, 'approval', ['ana'], { id: 'approval-1' });
    await eventually(async () => (await client.list({ status: ['failed', 'compensated', 'waiting'] })).length === 3, 'the workflows to settle');
  });

  afterAll(async () => {
    await client.close();
    expect(await worker.stop()).toBe(0);
    await temp.cleanup();
  });

  it('list: a table, --json that parses, filters by status, name and queue, and paging', async () => {
    const table = await cli('list', ...db());
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^WORKFLOW ID\s+NAME\s+STATUS\s+QUEUE\s+CREATED\s+UPDATED\n/);
    expect(table.stdout).toMatch(/fragile-1\s+ops\.fragileFlow\s+failed\s+default/);
    expect(table.stdout).toContain('3 workflows, from 1');

    const all = parse<{ workflowId: string; status: string; createdAt: string }[]>(await cli('list', ...db(), '--json'));
    expect(all.map((w) => w.workflowId).sort()).toEqual(['approval-1', 'fragile-1', 'order-1']);
    expect(Number.isNaN(Date.parse(all[0]!.createdAt))).toBe(false);

    const failed = parse<{ workflowId: string }[]>(await cli('list', ...db(), '--json', '--status', 'failed,compensated'));
    expect(failed.map((w) => w.workflowId).sort()).toEqual(['fragile-1', 'order-1']);
    expect(parse<{ workflowId: string }[]>(await cli('list', ...db(), '--json', '--name', 'ops.approval')).map((w) => w.workflowId)).toEqual(['approval-1']);
    expect(parse<unknown[]>(await cli('list', ...db(), '--json', '--queue', 'elsewhere'))).toEqual([]);
    const page = parse<{ workflowId: string }[]>(await cli('list', ...db(), '--json', '--limit', '2', '--offset', '1'));
    expect(page.map((w) => w.workflowId)).toEqual(all.slice(1, 3).map((w) => w.workflowId));

    const bad = await cli('list', ...db(), '--status', 'sleepy');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown status "sleepy"');
  });

  it('show: the run as a tree with attempts and errors; --json parses; a saga shows its compensations', async () => {
    const shown = await cli('show', 'fragile-1', ...db());
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Run \S+ · failed\n└── Workflow fragile-1 · ops\.fragileFlow · failed\n/);
    expect(shown.stdout).toContain('Activity ops.fragile#0 · failed · 1 attempt');
    expect(shown.stdout).toContain('attempt 1 · failed');
    expect(shown.stdout).toContain('Error: the fix is not deployed yet');
    expect(shown.stdout).toContain('Error: ActivityFailure: Activity "ops.fragile#0"');

    const json = parse<{ workflowId: string; status: string; steps: { stepId: string; error?: { name: string; message: string } }[]; progress: { stepsDone: number } }>(
      await cli('show', 'fragile-1', ...db(), '--json'),
    );
    expect(json.workflowId).toBe('fragile-1');
    expect(json.status).toBe('failed');
    expect(json.steps.find((s) => s.stepId === 'ops.fragile#0')?.error).toMatchObject({ name: 'Error', message: 'the fix is not deployed yet' });
    expect(json.progress.stepsDone).toBe(1);

    const saga = await cli('show', 'order-1', ...db());
    expect(saga.stdout).toContain('Saga ops.reserve#0 · compensated · 1 attempt · 1 compensation attempt');
    expect(saga.stdout).toMatch(/Execution #2 · compensate · completed/);
    expect(saga.stdout).toContain('compensation 1 · completed');
  });

  it('show of an unknown id, or on a missing or foreign database: exit 1 with a message (and a JSON error with --json)', async () => {
    const missing = await cli('show', 'nope', ...db());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No workflow with id "nope"');
    const json = await cli('show', 'nope', ...db(), '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ error: { name: 'WorkflowNotFoundError', code: 'TEMPOLITE_WORKFLOW_NOT_FOUND', message: 'No workflow with id "nope".' } });
    const nodb = await cli('list', '--db', join(temp.dir, 'absent.db'));
    expect(nodb.code).toBe(1);
    expect(nodb.stderr).toContain('No Tempolite database at');
    const nodbJson = await cli('list', '--db', join(temp.dir, 'absent.db'), '--json');
    expect(nodbJson.code).toBe(1);
    expect(JSON.parse(nodbJson.stdout)).toMatchObject({ error: { name: 'OperationError', code: 'TEMPOLITE_CLI_OPERATION' } });
    // An application's own SQLite file is refused, not given Tempolite's tables.
    const appFile = join(temp.dir, 'app.db');
    const app = new Database(appFile);
    app.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    app.close();
    const bytes = readFileSync(appFile);
    const foreign = await cli('list', '--db', appFile, '--json');
    expect(foreign.code).toBe(1);
    expect(JSON.parse(foreign.stdout)).toMatchObject({ error: { name: 'SchemaNotMigratedError', code: 'TEMPOLITE_SCHEMA_NOT_MIGRATED' } });
    expect((await cli('list', '--db', appFile)).stderr).toContain('is not a Tempolite database');
    expect(readFileSync(appFile).equals(bytes)).toBe(true);
    // A PostgreSQL server that cannot be reached is the library's StorageError, with its code.
    const unreachable = await cli('list', '--db', 'postgres://someone:pw@127.0.0.1:1/nowhere', '--json');
    expect(unreachable.code).toBe(1);
    expect(JSON.parse(unreachable.stdout)).toMatchObject({ error: { name: 'StorageError', code: 'TEMPOLITE_STORAGE' } });
  });

  it('signal (and show --watch following the workflow until it completes)', async () => {
    // --watch on a pipe: a progress line whenever it changes, then the final tree.
    const watch = spawn(process.execPath, [CLI, 'show', 'approval-1', ...db(), '--watch', '--interval', '50'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    watch.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
    await eventually(() => output.includes('waiting for signal'), 'the watch to show the wait');
    expect(output).toMatch(/waiting · 1\/1 steps done · waiting for signal "approve"/);

    const bad = await cli('signal', 'approval-1', 'approve', '{not json', ...db());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not valid JSON');
    const sent = parse<{ ok: boolean; action: string; signal: string; status: string }>(await cli('signal', 'approval-1', 'approve', '{"by":"the cli"}', '--key', 'ticket-7', ...db(), '--json'));
    expect(sent).toMatchObject({ ok: true, action: 'signal', signal: 'approve', changed: true });
    expect(await exited).toBe(0);
    // The same key again (a script run twice): nothing sent, exit 0, and it says so.
    const again = await cli('signal', 'approval-1', 'approve', '{"by":"twice"}', '--key', 'ticket-7', ...db());
    expect([again.code, again.stdout]).toEqual([0, 'Workflow approval-1 has a signal with key "ticket-7" already: nothing sent (it is completed).\n']);
    expect(parse<{ changed: boolean }>(await cli('signal', 'approval-1', 'approve', 'null', '--key', 'ticket-7', ...db(), '--json'))).toMatchObject({ ok: true, changed: false });
    expect((await (await client.getHandle('approval-1')).describe()).signals.map((x) => x.idempotencyKey)).toEqual(['ticket-7']);
    expect(output).toMatch(/completed · 1\/1 steps done/);
    expect(output).toContain('└── Workflow approval-1 · ops.approval · completed');
    expect(output).toContain('Signal "approve" · received by tempolite.signal#0');
    expect(output).toContain('Output: "hello ana, approved by the cli"');
  });

  it('retry: a failed workflow completes once the fix is deployed; retrying a completed one is refused (exit 1)', async () => {
    // Watching a workflow that ended without completing exits 3, so `show --watch && next` stops there.
    const watchedFailed = await cli('show', 'fragile-1', ...db(), '--watch', '--interval', '50');
    expect(watchedFailed.code).toBe(3);
    expect(watchedFailed.stdout).toContain('Workflow fragile-1 · ops.fragileFlow · failed');
    writeFileSync(fixFile, 'yes');
    const retried = parse<{ ok: boolean; action: string; status: string }>(await cli('retry', 'fragile-1', ...db(), '--json'));
    expect(retried).toMatchObject({ ok: true, action: 'retry', workflowId: 'fragile-1' });
    expect(['pending', 'running', 'completed']).toContain(retried.status);
    expect(await (await client.getHandle('fragile-1')).result()).toBe('hello fragile: fixed');
    // The step ran in both executions: each lists its own attempt and says so.
    const tree = (await cli('show', 'fragile-1', ...db())).stdout;
    expect(tree.match(/Activity ops\.fragile#0 · completed · 2 attempts · 1 in this execution/g)).toHaveLength(2);
    const again = await cli('retry', 'fragile-1', ...db());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Cannot retry workflow "fragile-1": its status is "completed"');
  });

  it('pause, resume and cancel a running workflow', async () => {
    const handle = await client.startWorkflow(OperatorFlow, 'loop', [1_000_000], { id: 'loop-1' });
    await eventually(async () => (await handle.describe()).steps.length >= 2, 'a few rounds');
    const paused = await cli('pause', 'loop-1', ...db());
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^Pause recorded for workflow loop-1 \(now (running|waiting|paused)\)\.\n$/);
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    expect(await cli('pause', 'loop-1', ...db())).toMatchObject({ code: 0, stdout: 'Workflow loop-1 is already paused: nothing to pause.\n' });
    const resumed = parse<{ status: string; changed: boolean }>(await cli('resume', 'loop-1', ...db(), '--json'));
    expect(resumed).toMatchObject({ ok: true, action: 'resume', changed: true });
    expect(resumed.status).not.toBe('paused');
    await eventually(async () => ['running', 'waiting'].includes(await handle.status()), 'the resume');
    expect((await cli('resume', 'loop-1', ...db())).stdout).toMatch(/^Workflow loop-1 is not paused \(it is (running|waiting)\): nothing to resume\.\n$/);
    expect((await cli('cancel', 'loop-1', ...db())).code).toBe(0);
    await eventually(async () => (await handle.status()) === 'cancelled', 'the cancel');
    expect(parse<{ changed: boolean }>(await cli('cancel', 'loop-1', ...db(), '--json'))).toMatchObject({ action: 'cancel', changed: false, status: 'cancelled' });
    expect((await cli('cancel', 'loop-1', ...db())).stdout).toBe('Workflow loop-1 is already cancelled: nothing to cancel.\n');
    const resumeCancelled = await cli('resume', 'loop-1', ...db(), '--json');
    expect(resumeCancelled.code).toBe(1);
    expect((JSON.parse(resumeCancelled.stdout) as { error: { code: string } }).error.code).toBe('TEMPOLITE_INVALID_STATE');
  });

  it('list shows a DEADLINE column once a listed workflow has a deadline ("-" for the others)', async () => {
    const handle = await client.startWorkflow(OperatorFlow, 'order', ['book'], { id: 'deadline-1', timeout: '1h' });
    await handle.result().catch(() => undefined);
    const deadline = (await handle.describe()).deadline!.toISOString();
    const table = (await cli('list', ...db(), '--name', 'ops.order')).stdout;
    expect(table).toMatch(/^WORKFLOW ID\s+NAME\s+STATUS\s+QUEUE\s+CREATED\s+UPDATED\s+DEADLINE\n/);
    expect(table).toMatch(new RegExp(`deadline-1\\s+ops\\.order\\s+compensated\\s+default\\s+\\S+\\s+\\S+\\s+${deadline.replace(/\./g, '\\.')}\\n`));
    expect(table).toMatch(/order-1\s+ops\.order\s+compensated\s+default\s+\S+\s+\S+\s+-\n/);
  });

  it('a pause asked of a running step is shown as asked; a second pause does nothing; a resume withdraws it and says so', async () => {
    const releaseFile = join(temp.dir, 'release-held');
    const handle = await client.startWorkflow(OperatorFlow, 'held', [releaseFile], { id: 'held-1' });
    await eventually(async () => (await handle.describe()).steps.some((step) => step.status === 'running'), 'the held step');
    expect((await cli('pause', 'held-1', ...db())).stdout).toBe('Pause recorded for workflow held-1 (now running).\n');
    expect((await handle.describe()).requested).toBe('pause');
    expect((await cli('show', 'held-1', ...db())).stdout).toContain('running · pause asked');
    expect(parse<{ changed: boolean }>(await cli('pause', 'held-1', ...db(), '--json'))).toMatchObject({ action: 'pause', changed: false, status: 'running' });
    expect((await cli('pause', 'held-1', ...db())).stdout).toBe('Workflow held-1 is already asked to pause (it is running): nothing to pause.\n');
    expect(parse<{ changed: boolean }>(await cli('resume', 'held-1', ...db(), '--json'))).toMatchObject({ action: 'resume', changed: true, status: 'running' });
    expect((await handle.describe()).requested).toBeUndefined();
    expect((await cli('resume', 'held-1', ...db())).stdout).toBe('Workflow held-1 is not paused (it is running): nothing to resume.\n');
    writeFileSync(releaseFile, 'go');
    expect(await handle.result()).toBe('done');
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'completed']]);
  });

  it('ids and messages with terminal control characters are printed as escapes, not sent to the terminal', async () => {
    const id = 'ansi\u001b[2J\u001b]0;title\u0007\r\nFAKE\u202egpj.exe';
    await (await client.startWorkflow(OperatorFlow, 'order', ['book'], { id })).result().catch(() => undefined);
    const shown = 'ansi\\x1b[2J\\x1b]0;title\\x07\\r\\nFAKE\\u202egpj.exe';
    for (const run of [await cli('list', ...db()), await cli('show', id, ...db()), await cli('cancel', id, ...db()), await cli('pause', id, ...db())]) {
      const text = run.stdout + run.stderr;
      expect(text).toContain(shown);
      for (const control of ['\u001b', '\u0007', '\r', '\u202e']) expect(text).not.toContain(control);
    }
    // --json keeps the id exactly (JSON escapes it).
    expect(parse<{ workflowId: string }[]>(await cli('list', ...db(), '--json')).map((w) => w.workflowId)).toContain(id);
    // A backslash and an "n" do not print as the line feed does.
    for (const lookalike of ['look\nalike', 'look\\nalike']) await (await client.startWorkflow(OperatorFlow, 'order', ['book'], { id: lookalike })).result().catch(() => undefined);
    const listed = (await cli('list', ...db())).stdout;
    expect(listed).toContain('look\\nalike');
    expect(listed).toContain('look\\\\nalike');
  });

  it('a reader that closes the pipe early (| head) ends the output quietly, exit 0', async () => {
    const child = spawn(process.execPath, [CLI, 'show', 'order-1', '--json', ...db()], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the CLI writes a byte: its write then fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('prune says which runs it deleted: older than the age, or every finished one for an age of 0', async () => {
    const aged = await cli('prune', '--older-than', '3650d', ...db());
    expect(aged.code).toBe(0);
    expect(aged.stdout).toMatch(/^Deleted \d+ finished workflows? \(runs that ended more than 3650d ago\)\.\n$/);
    // A bare number is milliseconds, and the message says so.
    const bare = await cli('prune', '--older-than', '315360000000', ...db());
    expect(bare.stdout).toMatch(/\(runs that ended more than 315360000000 ms ago\)/);
    for (const zero of ['0', '0s']) {
      const all = await cli('prune', '--older-than', zero, ...db());
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/^Deleted \d+ finished workflows? \(every finished run\)\.\n$/);
    }
  });

  it('usage errors exit 2; --help exits 0', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('show')).code).toBe(2);
    expect((await cli('list', '--limit', '0', ...db())).code).toBe(2);
    const huge = await cli('list', '--offset', String(2 ** 63), ...db());
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain(`expected an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got "${2 ** 63}"`);
    const port = await cli('dashboard', '--port', '70000', ...db());
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('expected an integer from 0 to 65535, got "70000"');
    // With --json, commander's usage errors come as JSON too.
    for (const args of [['frobnicate', '--json'], ['list', '--limit', 'abc', '--json', ...db()], ['prune', '--json', ...db()]]) {
      const run = await cli(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(JSON.parse(run.stdout), args.join(' ')).toMatchObject({ error: { name: 'UsageError', code: 'TEMPOLITE_CLI_USAGE' } });
    }
    expect((await cli('--help', '--json')).stdout).not.toContain('"error"');
    const help = await cli('show', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--watch');
  });
});
