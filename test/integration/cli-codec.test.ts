import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tempolite, registerActivity, registerWorkflow, silentLogger, workflowContext } from '../../src/index.js';
import { codec } from '../fixtures/base64-codec.js';
import { CLI, cli } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { tempDatabase } from '../helpers/temp-db.js';

/** The same codec, compiled: what an application points `--codec` at. */
const CODEC_MODULE = join(import.meta.dirname, '../../dist/test/fixtures/base64-codec.js');



const greet = registerActivity('codec.greet', async (name: string) => `hello ${name}`);
const greeting = registerWorkflow('codec.greeting', async (name: string) => {
  const approval = await workflowContext().waitForSignal<{ by: string }>('approve');
  return { text: await greet(name), by: approval.timedOut ? null : approval.payload.by };
});

describe('the CLI on a database written through a custom codec (--codec)', () => {
  const temp = tempDatabase();
  let engine: Tempolite;
  const db = (): string[] => ['--db', temp.file];

  beforeAll(async () => {
    engine = new Tempolite({ database: temp.file, codec, register: [greet, greeting], logger: silentLogger, pollIntervalMs: 25 });
    await engine.start();
    await engine.startWorkflow(greeting, ['ana'], { id: 'greeting-1' });
    await eventually(async () => (await (await engine.getHandle('greeting-1')).status()) === 'waiting', 'the workflow to wait for its signal');
  });

  afterAll(async () => {
    await engine.close();
    await temp.cleanup();
  });

  it('without --codec the payloads cannot be read: show leaves them out and says why (exit 0)', async () => {
    const shown = await cli('show', 'greeting-1', ...db(), '--json');
    expect(shown.code).toBe(0);
    const description = JSON.parse(shown.stdout) as { status: string; input?: unknown; undecodable: { path: string; error: { name: string; code: string } }[] };
    expect(description.status).toBe('waiting');
    expect(description.input).toBeUndefined();
    expect(description.undecodable).toMatchObject([{ path: 'input', error: { name: 'SerializationError', code: 'TEMPOLITE_SERIALIZATION' } }]);
    const tree = await cli('show', 'greeting-1', ...db());
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain('Cannot decode input');
  });

  it('with --codec: show decodes the input, a signal is encoded so the workflow reads it, and the output shows', async () => {
    const waiting = JSON.parse((await cli('show', 'greeting-1', ...db(), '--codec', CODEC_MODULE, '--json')).stdout) as { status: string; input: unknown };
    expect(waiting).toMatchObject({ status: 'waiting', input: ['ana'] });

    const sent = await cli('signal', 'greeting-1', 'approve', '{"by":"the cli"}', ...db(), '--codec', CODEC_MODULE);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    await expect((await engine.getHandle('greeting-1')).result()).resolves.toEqual({ text: 'hello ana', by: 'the cli' });

    const done = await cli('show', 'greeting-1', ...db(), '--codec', CODEC_MODULE);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Output: {"text":"hello ana","by":"the cli"}');
    expect(done.stdout).toContain('Signal "approve" · received by tempolite.signal#0');
  });

  it('the dashboard without --codec serves the description with the payloads it cannot decode left out', async () => {
    const dashboard = spawn(process.execPath, [CLI, 'dashboard', ...db(), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      dashboard.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const url = await eventually(() => /Tempolite dashboard on (\S+)/.exec(output)?.[1], 'the dashboard to listen');
      const response = await fetch(new URL('/api/workflows/greeting-1', url));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { description: { input?: unknown; undecodable: { path: string; error: { name: string; code: string } }[] } };
      expect(body.description.input).toBeUndefined();
      expect(body.description.undecodable.find((u) => u.path === 'input')).toMatchObject({ error: { name: 'SerializationError', code: 'TEMPOLITE_SERIALIZATION' } });
    } finally {
      dashboard.kill('SIGTERM');
    }
  });

  it('the dashboard started with --codec serves the decoded payloads', async () => {
    const dashboard = spawn(process.execPath, [CLI, 'dashboard', ...db(), '--codec', CODEC_MODULE, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      dashboard.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const url = (await eventually(() => /Tempolite dashboard on (\S+)/.exec(output)?.[1], 'the dashboard to listen'));
      const response = await fetch(new URL('/api/workflows/greeting-1', url));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { description: { input: unknown; output: unknown } };
      expect(body.description).toMatchObject({ input: ['ana'], output: { text: 'hello ana', by: 'the cli' } });
    } finally {
      dashboard.kill('SIGTERM');
    }
  });

  it('a --codec that cannot be loaded, exports no codec, or exports something else: exit 2, nothing written', async () => {
    const before = await engine.list();
    const missing = await cli('list', ...db(), '--codec', join(temp.dir, 'absent.js'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot load the module');

    const empty = join(temp.dir, 'no-codec.mjs');
    writeFileSync(empty, 'export const other = 1;\n');
    const none = await cli('list', ...db(), '--codec', empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('exports neither "codec" nor a default export');
    const noneJson = await cli('list', ...db(), '--codec', empty, '--json');
    expect(noneJson.code).toBe(2);
    expect(JSON.parse(noneJson.stdout)).toMatchObject({ error: { name: 'UsageError', code: 'TEMPOLITE_CLI_USAGE' } });

    const wrong = join(temp.dir, 'wrong-codec.mjs');
    writeFileSync(wrong, 'export default { encode: (v) => String(v) };\n');
    const invalid = await cli('signal', 'greeting-1', 'approve', '{}', ...db(), '--codec', wrong, '--json');
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ error: { name: 'InvalidOptionsError', code: 'TEMPOLITE_INVALID_OPTIONS' } });
    // Refused before the database was touched: no workflow changed, no signal stored.
    expect(await engine.list()).toEqual(before);
    expect((await (await engine.getHandle('greeting-1')).describe()).signals).toHaveLength(1);
  });
});
