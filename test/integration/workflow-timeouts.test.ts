import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Activity,
  InvalidOptionsError,
  Saga,
  TestClock,
  Workflow,
  WorkflowCancelledFailure,
  WorkflowFailure,
  activityContext,
  formatRunTree,
  silentLogger,
  workflowContext,
  type TempoliteOptions,
} from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';

class Slowpoke {
  static started = new Latch();
  static undone: string[] = [];
  /** Why the listening activity was aborted. */
  static abortReason: unknown;
  @Activity({ name: 'slowpoke.listen', retry: { maxAttempts: 1 } }) async listen(): Promise<string> {
    Slowpoke.started.open();
    const signal = activityContext().signal;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    Slowpoke.abortReason = signal.reason;
    return 'stopped';
  }
  @Activity({ name: 'slowpoke.quick' }) async quick(): Promise<string> {
    return 'quick';
  }
  @Saga({ name: 'slowpoke.book', compensate: 'unbook' }) async book(): Promise<string> {
    return 'booked';
  }
  async unbook(): Promise<void> {
    Slowpoke.undone.push('book');
  }
  @Workflow({ name: 'slowpoke.sleeper' }) async sleeper(): Promise<string> {
    await workflowContext().sleep('1h');
    return 'woke';
  }
  @Workflow({ name: 'slowpoke.running' }) async running(): Promise<string> {
    return this.listen();
  }
  @Workflow({ name: 'slowpoke.saga' }) async saga(): Promise<string> {
    await this.book();
    await workflowContext().sleep('1h');
    return 'done';
  }
  @Workflow({ name: 'slowpoke.parent' }) async parent(): Promise<string> {
    return this.sleeper();
  }
  @Workflow({ name: 'slowpoke.fast' }) async fast(): Promise<string> {
    return this.quick();
  }
  static entries = 0;
  @Activity({ name: 'slowpoke.broken', retry: { maxAttempts: 1 } }) async broken(): Promise<void> {
    throw new Error('broken');
  }
  @Workflow({ name: 'slowpoke.fragile' }) async fragile(): Promise<void> {
    Slowpoke.entries += 1;
    await this.broken();
  }

  @Workflow({ name: 'slowpoke.launcher' }) async launcher(): Promise<string> {
    const { workflowId } = await workflowContext().startWorkflow(Slowpoke, 'sleeper', [], { id: 'launched', timeout: '10s' });
    return workflowId;
  }
}

function timedOut(error: unknown, workflowId: string): WorkflowCancelledFailure {
  expect(error).toBeInstanceOf(WorkflowFailure);
  const cause = (error as WorkflowFailure).cause as WorkflowCancelledFailure;
  expect(cause).toBeInstanceOf(WorkflowCancelledFailure);
  expect(cause).toMatchObject({ workflowId, timedOut: true });
  return cause;
}

describe('workflow timeouts', () => {
  let dispose: (() => Promise<void>) | undefined;
  let file = '';
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });
  async function engineWith(options: TempoliteOptions = {}) {
    const started = await startEngine({ register: [Slowpoke], ...options });
    ({ dispose, file } = started);
    return started.engine;
  }

  it('a waiting workflow is cancelled at its deadline: result() says it timed out, with the deadline', async () => {
    const clock = new TestClock(new Date('2026-12-02T06:00:00.000Z'));
    const warnings: string[] = [];
    const engine = await engineWith({ clock, logger: { ...silentLogger, warn: (fields, message) => warnings.push(`${message ?? ''} ${(fields as { workflowId?: string }).workflowId ?? ''}`) } });
    const heard: string[] = [];
    engine.on('workflow.cancelled', (e) => heard.push(`${e.workflowId} timedOut=${String(e.timedOut)} ${e.error.deadline?.toISOString() ?? '-'}`));
    const handle = await engine.startWorkflow(Slowpoke, 'sleeper', [], { id: 'late', timeout: '10m' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the sleep');
    const deadline = new Date('2026-12-02T06:10:00.000Z');
    expect((await handle.describe()).deadline).toEqual(deadline);
    expect((await engine.list({ name: 'slowpoke.sleeper' }))[0]?.deadline).toEqual(deadline);
    expect(formatRunTree(await handle.describe())).toMatch(/Workflow late · slowpoke\.sleeper · waiting · deadline 2026-12-02T06:10:00\.000Z/);
    const plain = await engine.startWorkflow(Slowpoke, 'fast', [], { id: 'untimed' });
    await plain.result();
    expect((await plain.describe()).deadline).toBeUndefined();
    expect((await engine.list({ name: 'slowpoke.fast' }))[0]).not.toHaveProperty('deadline');
    clock.advance('9m');
    expect(await handle.status()).toBe('waiting');
    clock.advance('1m');
    const cause = timedOut(await handle.result().catch((e: unknown) => e), 'late');
    expect(cause.deadline).toEqual(new Date('2026-12-02T06:10:00.000Z'));
    expect(cause.message).toMatch(/timed out: it was cancelled at its deadline 2026-12-02T06:10:00.000Z/);
    expect(await handle.status()).toBe('cancelled');
    // Told apart from a cancel by hand, and logged as a failure is.
    expect(heard).toEqual(['late timedOut=true 2026-12-02T06:10:00.000Z']);
    expect(warnings).toEqual(['workflow timed out late']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a running body is stopped at its deadline: its activity sees its signal, whose reason says it timed out', async () => {
    Slowpoke.started = new Latch();
    Slowpoke.abortReason = undefined;
    const engine = await engineWith();
    const heard: boolean[] = [];
    engine.on('workflow.cancelled', (e) => heard.push(e.timedOut && e.error.timedOut));
    const handle = await engine.startWorkflow(Slowpoke, 'running', [], { id: 'busy', timeout: 300 });
    await Slowpoke.started.wait();
    timedOut(await handle.result().catch((e: unknown) => e), 'busy');
    await eventually(() => heard.length > 0, 'workflow.cancelled');
    expect(heard).toEqual([true]);
    expect(Slowpoke.abortReason).toBeInstanceOf(WorkflowCancelledFailure);
    const reason = Slowpoke.abortReason as WorkflowCancelledFailure;
    expect([reason.timedOut, reason.deadline?.getTime()]).toEqual([true, (await handle.describe()).deadline?.getTime()]);
    expect(await handle.status()).toBe('cancelled');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a saga workflow past its deadline compensates, and its children are cancelled with it (not timed out themselves)', async () => {
    Slowpoke.undone = [];
    const clock = new TestClock();
    const engine = await engineWith({ clock });
    const saga = await engine.startWorkflow(Slowpoke, 'saga', [], { timeout: '1m' });
    const parent = await engine.startWorkflow(Slowpoke, 'parent', [], { id: 'parent', timeout: '1m' });
    await eventually(async () => (await saga.status()) === 'waiting' && (await parent.describe()).children[0]?.status === 'waiting', 'both to wait');
    clock.advance('1m');
    timedOut(await saga.result().catch((e: unknown) => e), saga.workflowId);
    expect(await saga.status()).toBe('compensated');
    expect(Slowpoke.undone).toEqual(['book']);
    timedOut(await parent.result().catch((e: unknown) => e), 'parent');
    const child = (await parent.describe()).children[0]!;
    expect(child.status).toBe('cancelled');
    await expect((await engine.getHandle(child.workflowId)).result()).rejects.toMatchObject({ cause: { name: 'WorkflowCancelledFailure', timedOut: false } });
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a workflow that finishes in time keeps its result; a paused one past its deadline is cancelled', async () => {
    const clock = new TestClock();
    const engine = await engineWith({ clock });
    const fast = await engine.startWorkflow(Slowpoke, 'fast', [], { timeout: '1m' });
    expect(await fast.result()).toBe('quick');
    const paused = await engine.startWorkflow(Slowpoke, 'sleeper', [], { id: 'paused', timeout: '1m' });
    await eventually(async () => (await paused.status()) === 'waiting', 'the sleep');
    await paused.pause();
    await eventually(async () => (await paused.status()) === 'paused', 'the pause');
    clock.advance('2m');
    timedOut(await paused.result().catch((e: unknown) => e), 'paused');
    expect(await fast.status()).toBe('completed');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a body is not entered past its deadline: engine.retry() after it cancels the workflow instead of running it', async () => {
    Slowpoke.entries = 0;
    const clock = new TestClock();
    const engine = await engineWith({ clock });
    const handle = await engine.startWorkflow(Slowpoke, 'fragile', [], { id: 'fragile', timeout: '1m' });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(await handle.status()).toBe('failed');
    clock.advance('2m');
    await engine.retry('fragile');
    timedOut(await handle.result().catch((e: unknown) => e), 'fragile');
    expect(Slowpoke.entries).toBe(1);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("a detached start's timeout applies to the workflow it starts", async () => {
    const clock = new TestClock();
    const engine = await engineWith({ clock });
    expect(await (await engine.startWorkflow(Slowpoke, 'launcher', [])).result()).toBe('launched');
    const launched = await engine.getHandle('launched');
    await eventually(async () => (await launched.status()) === 'waiting', 'the launched sleep');
    clock.advance('10s');
    timedOut(await launched.result().catch((e: unknown) => e), 'launched');
  });

  it('a malformed timeout is an InvalidOptionsError and nothing is written', async () => {
    const engine = await engineWith();
    for (const timeout of [0, -5, 'soon', '1h30m', Number.NaN]) {
      const error = await engine.startWorkflow(Slowpoke, 'fast', [], { timeout: timeout as never }).catch((e: unknown) => e);
      expect(error, String(timeout)).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).path).toBe('timeout');
    }
    expect((await countRows(file)).tempolite_workflow_entity).toBe(0);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
