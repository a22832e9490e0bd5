import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, SerializationError, Tempolite, UnknownWorkflowError, Workflow, formatRunTree, silentLogger, workflowContext, type TempoliteEvents } from '../../src/index.js';
import { codec as base64Codec } from '../fixtures/base64-codec.js';
import { checkConsistency } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { tempDatabase } from '../helpers/temp-db.js';

class Setup {
  @Activity({ name: 'setup.double' }) async double(n: number): Promise<number> {
    return n * 2;
  }
  @Workflow({ name: 'setup.run' }) async run(n: number): Promise<number> {
    return this.double(n);
  }
  @Workflow({ name: 'setup.stepThenWait' }) async stepThenWait(n: number): Promise<number> {
    const doubled = await this.double(n);
    await workflowContext().sleep('200ms');
    return doubled;
  }
  @Workflow({ name: 'setup.detaches' }) async detaches(): Promise<string> {
    return (await workflowContext().startWorkflow(Elsewhere, 'detached', [])).workflowId;
  }
}

class Elsewhere {
  @Workflow({ name: 'setup.detached' }) async detached(): Promise<string> {
    return 'detached';
  }
}

// As Temporal holds a workflow whose task cannot run on this deployment: a deployment's mistake is not the
// workflow's outcome, so it is paused for the fix and a resume(), not failed for good (and not compensated).
describe('a workflow the engine cannot run as deployed is paused, not failed', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a container that cannot create the workflow class: paused with reason setup; once fixed, resume() completes it', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    let ready = false;
    const container = {
      resolve: <T>(target: new () => T): T => {
        if (!ready) throw new Error(`${target.name} needs @injectable()`);
        return new target();
      },
    };
    const engine = new Tempolite({ database: temp.file, logger: silentLogger, pollIntervalMs: 50, register: [Setup], container });
    const paused: TempoliteEvents['workflow.paused'][] = [];
    engine.on('workflow.paused', (event) => void paused.push(event));
    await engine.start();
    cleanups.push(() => engine.close());
    const handle = await engine.startWorkflow(Setup, 'run', [21], { id: 'setup-1' });
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    const d = await handle.describe();
    expect(d.executions.map((x) => x.status)).toEqual(['paused']);
    expect(d.executions[0]!.error?.message).toBe('Setup needs @injectable()');
    await eventually(() => paused.length === 1, 'the event');
    expect(paused[0]).toMatchObject({ workflowId: 'setup-1', reason: 'setup' });

    ready = true;
    await handle.resume();
    expect(await handle.result()).toBe(42);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('an engine whose codec cannot decode the stored input pauses the workflow; an engine with the right codec resumes it', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    // Started by a client with the application's codec, claimed by a worker deployed without it.
    const client = new Tempolite({ database: temp.file, logger: silentLogger, workers: false, register: [Setup], codec: base64Codec });
    await client.start();
    cleanups.push(() => client.close());
    await client.startWorkflow(Setup, 'run', [5], { id: 'codec-1' });
    const wrong = new Tempolite({ database: temp.file, logger: silentLogger, pollIntervalMs: 50, register: [Setup] });
    await wrong.start();
    await eventually(async () => (await (await wrong.getHandle('codec-1')).status()) === 'paused', 'the pause');
    // The engine that cannot decode the input still describes the workflow: the field is left out and says why.
    const seen = await (await wrong.getHandle('codec-1')).describe();
    expect(seen.status).toBe('paused');
    expect('input' in seen).toBe(false);
    expect(seen.undecodable?.map((u) => u.path)).toEqual(['input']);
    expect(seen.undecodable?.[0]?.error).toBeInstanceOf(SerializationError);
    expect(seen.executions.at(-1)?.error?.message).toMatch(/Cannot decode input of workflow/);
    expect(formatRunTree(seen)).toContain('Cannot decode input');
    await wrong.close();

    const right = new Tempolite({ database: temp.file, logger: silentLogger, pollIntervalMs: 50, register: [Setup], codec: base64Codec });
    await right.start();
    cleanups.push(() => right.close());
    const handle = await right.getHandle<number>('codec-1');
    const d = await handle.describe();
    expect(d.status).toBe('paused');
    expect(d.input).toEqual([5]);
    expect(d.undecodable).toBeUndefined();
    // The engine without the codec recorded why, in its own codec: this one shows that text, undecoded.
    expect(d.executions[0]!.error?.message).toMatch(/^The stored error could not be decoded: .*Cannot decode input of workflow/);
    await handle.resume();
    expect(await handle.result()).toBe(10);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
  it('an input a new codec cannot decode, after the workflow recorded steps, pauses with the SerializationError (setup), not as a dropped step', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    // Suspended in its sleep, so the engine deployed next wakes it from the database.
    const first = new Tempolite({ database: temp.file, logger: silentLogger, pollIntervalMs: 50, register: [Setup], codec: base64Codec, suspendAfterMs: 0 });
    await first.start();
    const handle = await first.startWorkflow(Setup, 'stepThenWait', [4], { id: 'codec-2' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the sleep');
    await first.close();

    const wrong = new Tempolite({ database: temp.file, logger: silentLogger, pollIntervalMs: 50, register: [Setup], suspendAfterMs: 0 });
    const paused: TempoliteEvents['workflow.paused'][] = [];
    wrong.on('workflow.paused', (event) => paused.push(event));
    await wrong.start();
    cleanups.push(() => wrong.close());
    await eventually(() => paused.length === 1, 'the pause');
    expect(paused[0]?.reason).toBe('setup');
    expect(paused[0]?.error).toBeInstanceOf(SerializationError);
    await wrong.close();

    const right = new Tempolite({ database: temp.file, logger: silentLogger, pollIntervalMs: 50, register: [Setup], codec: base64Codec });
    await right.start();
    cleanups.push(() => right.close());
    await right.resume('codec-2');
    expect(await (await right.getHandle<number>('codec-2')).result()).toBe(8);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('a detached start of a workflow left out of register pauses with an UnknownWorkflowError (setup); registered, resume() starts it', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const without = new Tempolite({ database: temp.file, logger: silentLogger, pollIntervalMs: 50, register: [Setup] });
    await without.start();
    const paused: TempoliteEvents['workflow.paused'][] = [];
    without.on('workflow.paused', (event) => paused.push(event));
    await without.startWorkflow(Setup, 'detaches', [], { id: 'detaches-1' });
    await eventually(() => paused.length === 1, 'the pause');
    expect(paused[0]?.reason).toBe('setup');
    expect(paused[0]?.error).toBeInstanceOf(UnknownWorkflowError);
    expect((paused[0]?.error as Error).message).toContain('"register" option');
    await without.close();

    const fixed = new Tempolite({ database: temp.file, logger: silentLogger, pollIntervalMs: 50, register: [Setup, Elsewhere] });
    await fixed.start();
    cleanups.push(() => fixed.close());
    await fixed.resume('detaches-1');
    const detachedId = await (await fixed.getHandle<string>('detaches-1')).result();
    expect(await (await fixed.getHandle<string>(detachedId)).result()).toBe('detached');
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
