import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, ChildWorkflowFailure, Workflow, WorkflowFailure, WorkflowIdConflictError, rootCause, workflowContext, type Tempolite } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';

class Family {
  static grandchildFails = false;
  @Activity({ name: 'family.work', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async work(who: string): Promise<string> {
    if (who === 'grandchild' && Family.grandchildFails) throw new TypeError('grandchild broke');
    return `${who} worked`;
  }
  @Workflow({ name: 'family.grandchild' }) async grandchild(): Promise<string> {
    return this.work('grandchild');
  }
  @Workflow({ name: 'family.child' }) async child(): Promise<string> {
    return `${await this.work('child')} / ${await this.grandchild()}`;
  }
  @Workflow({ name: 'family.parent' }) async parent(): Promise<string> {
    return `${await this.work('parent')} / ${await this.child()}`;
  }
}

class Counting {
  static running = 0;
  static max = 0;
  static order: number[] = [];
  static gate = new Latch();
  @Activity({ name: 'counting.busy' }) async busy(n: number): Promise<number> {
    Counting.running += 1;
    Counting.max = Math.max(Counting.max, Counting.running);
    Counting.order.push(n);
    await new Promise((resolve) => setImmediate(resolve));
    await Counting.gate.wait();
    Counting.running -= 1;
    return n;
  }
  @Workflow({ name: 'counting.job', queue: 'limited' }) async job(n: number): Promise<number> {
    return this.busy(n);
  }
}

class Nest {
  @Activity({ name: 'nest.leaf' }) async leaf(n: number): Promise<number> {
    return n * 2;
  }
  @Workflow({ name: 'nest.child', queue: 'single' }) async child(n: number): Promise<number> {
    return this.leaf(n);
  }
  @Workflow({ name: 'nest.parent', queue: 'single' }) async parent(): Promise<number> {
    const ctx = workflowContext();
    const results = await Promise.all([this.child(1), this.child(2), ctx.child(Nest, 'child', [3], { queue: 'other' })]);
    return results.reduce((a, b) => a + b, 0);
  }
}

class Many {
  @Workflow({ name: 'many.child' }) async child(n: number): Promise<number> {
    return n;
  }
  /** Twelve children started at once: most share a millisecond. */
  @Workflow({ name: 'many.parent' }) async parent(): Promise<number> {
    const results = await Promise.all(Array.from({ length: 12 }, (_, n) => this.child(n)));
    return results.length;
  }
}

class Twins {
  @Workflow({ name: 'twins.child' }) async child(n: number): Promise<number> {
    return n;
  }
  /** A child id used twice, and one in the form of an automatic id: each call's error names child()'s `id`. */
  @Workflow({ name: 'twins.parent' }) async parent(): Promise<string[]> {
    const ctx = workflowContext();
    const reasons: string[] = [String(await ctx.child(Twins, 'child', [1], { id: 'same' }))];
    for (const id of ['same', 'a#1']) {
      reasons.push(await ctx.child(Twins, 'child', [2], { id }).then(String, (error: unknown) => `${(error as Error).name} ${(error as { path?: string }).path}: ${(error as Error).message}`));
    }
    return reasons;
  }
}

class Detaching {
  static attempts = 0;
  @Workflow({ name: 'detaching.report' }) async report(label: string): Promise<string> {
    return `report ${label}`;
  }
  @Workflow({ name: 'detaching.main', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async main(): Promise<string> {
    const started = await workflowContext().startWorkflow(Detaching, 'report', ['q3']);
    Detaching.attempts += 1;
    if (Detaching.attempts === 1) throw new Error('fail after the detached start');
    return started.workflowId;
  }
}

class Looping {
  static steps: string[] = [];
  @Activity({ name: 'looping.poll' }) async poll(round: number): Promise<number> {
    Looping.steps.push(`poll ${round}`);
    return round + 1;
  }
  @Workflow({ name: 'looping.run' }) async run(round: number, total: number): Promise<string> {
    const next = await this.poll(round);
    if (round < 5) await workflowContext().continueAsNew(next, total + round);
    return `done at ${round}, total ${total + round}`;
  }
}

class FanOut {
  @Activity({ name: 'fanout.break', retry: { maxAttempts: 1 } }) async breakDown(): Promise<string> {
    throw new Error('broke');
  }
  @Workflow({ name: 'fanout.failing' }) async failing(): Promise<string> {
    return this.breakDown();
  }
  @Workflow({ name: 'fanout.waiting' }) async waiting(): Promise<string> {
    const go = await workflowContext().waitForSignal<string>('go');
    return go.timedOut ? 'timed out' : go.payload;
  }
  @Workflow({ name: 'fanout.parent' }) async parent(): Promise<string[]> {
    return Promise.all([this.failing(), this.waiting()]);
  }
}

describe('composition and queues', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  async function engineWith(register: unknown[], queues: Record<string, { concurrency?: number; rateLimit?: { limit: number; intervalMs: number } }> = {}): Promise<{ engine: Tempolite; file: string }> {
    const started = await startEngine({ register, queues });
    dispose = started.dispose;
    return started;
  }

  it("describe() lists a fan-out's children in the order they were started (#2 before #10)", async () => {
    const { engine, file } = await engineWith([Many]);
    const handle = await engine.startWorkflow(Many, 'parent', [], { id: 'many-1' });
    expect(await handle.result()).toBe(12);
    expect((await handle.describe()).children.map((child) => child.workflowId)).toEqual(Array.from({ length: 12 }, (_, n) => `many-1/many.child#${n}`));
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('parent → child → grandchild: results propagate and describe() shows one run with three entities', async () => {
    Family.grandchildFails = false;
    const { engine, file } = await engineWith([Family]);
    const handle = await engine.startWorkflow(Family, 'parent', [], { id: 'family-1' });
    expect(await handle.result()).toBe('parent worked / child worked / grandchild worked');
    const d = await handle.describe();
    expect(d.children).toHaveLength(1);
    expect(d.children[0]!.workflowId).toBe('family-1/family.child#0');
    expect(d.children[0]!.children[0]!.workflowId).toBe('family-1/family.child#0/family.grandchild#0');
    const all = [d, d.children[0]!, d.children[0]!.children[0]!];
    expect(new Set(all.map((w) => w.run.id)).size).toBe(1);
    expect(all.map((w) => w.status)).toEqual(['completed', 'completed', 'completed']);
    // A list row names the parent of a child; a root has none.
    const rows = new Map((await engine.list()).map((row) => [row.workflowId, row]));
    expect(rows.size).toBe(3);
    expect('parentId' in rows.get('family-1')!).toBe(false);
    expect(rows.get('family-1/family.child#0')!.parentId).toBe('family-1');
    expect(rows.get('family-1/family.child#0/family.grandchild#0')!.parentId).toBe('family-1/family.child#0');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("a child's derived id taken by a workflow of the same name started on its own: the parent fails with a WorkflowIdConflictError saying so", async () => {
    Family.grandchildFails = false;
    const { engine, file } = await engineWith([Family]);
    const squatter = await engine.startWorkflow(Family, 'child', [], { id: 'family-2/family.child#0' });
    await squatter.result();
    const failure = await (await engine.startWorkflow(Family, 'parent', [], { id: 'family-2' })).result().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailure);
    const cause = (failure as WorkflowFailure).cause;
    expect(cause).toBeInstanceOf(WorkflowIdConflictError);
    expect(cause).toMatchObject({ workflowId: 'family-2/family.child#0', existingName: 'family.child', requestedName: 'family.child' });
    expect((cause as Error).message).toContain('not the child this step starts');
    expect((await squatter.describe()).parentId).toBeUndefined();
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('errors propagate from grandchild to parent as ChildWorkflowFailures', async () => {
    Family.grandchildFails = true;
    const { engine } = await engineWith([Family]);
    const handle = await engine.startWorkflow(Family, 'parent', [], { id: 'family-2' });
    const failure = (await handle.result().catch((e: unknown) => e)) as WorkflowFailure;
    expect(failure).toBeInstanceOf(WorkflowFailure);
    const child = failure.cause as ChildWorkflowFailure;
    expect(child).toBeInstanceOf(ChildWorkflowFailure);
    expect(child).toMatchObject({ workflowId: 'family-2/family.child#0', parentId: 'family-2', stepId: 'family.child#0', status: 'failed' });
    expect((child.cause as ChildWorkflowFailure).workflowId).toBe('family-2/family.child#0/family.grandchild#0');
    expect(rootCause(failure)).toMatchObject({ name: 'TypeError', message: 'grandchild broke' });

    // Retrying the parent retries the failed child and grandchild from their failed steps.
    Family.grandchildFails = false;
    const again = await engine.retry('family-2');
    expect(await again.result()).toBe('parent worked / child worked / grandchild worked');
    const d = await again.describe();
    expect(d.children).toHaveLength(1);
    expect(d.children[0]!.children).toHaveLength(1);
    expect(d.children[0]!.children[0]!.steps[0]!.executions.map((e) => e.status)).toEqual(['failed', 'failed', 'completed']);
  });

  it('50 workflows on a queue of concurrency 3 never run more than 3 at once, and all complete', async () => {
    Counting.running = 0;
    Counting.max = 0;
    Counting.order = [];
    Counting.gate = new Latch();
    const { engine } = await engineWith([Counting], { limited: { concurrency: 3 } });
    const handles = await Promise.all(Array.from({ length: 50 }, (_, n) => engine.startWorkflow(Counting, 'job', [n])));
    await eventually(() => Counting.running === 3, 'three workflows to be running');
    Counting.gate.open();
    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(Counting.max).toBe(3);
  });

  it('Promise.all of children settles once every child it waits for has ended: a failed child then fails the parent', async () => {
    const { engine, file } = await engineWith([FanOut]);
    const parent = await engine.startWorkflow(FanOut, 'parent', [], { id: 'fan' });
    const statusOf = async (id: string): Promise<string | undefined> => (await engine.getHandle(id).catch(() => undefined))?.status();
    await eventually(async () => (await statusOf('fan/fanout.failing#0')) === 'failed', 'the failing child to fail');
    // A re-entered body does not run past a child that still runs: the parent waits for its sibling.
    await eventually(async () => (await statusOf('fan/fanout.waiting#0')) !== undefined, 'the sibling to exist');
    const sibling = await engine.getHandle<string>('fan/fanout.waiting#0');
    await eventually(async () => (await sibling.status()) === 'waiting', 'the sibling to wait');
    await eventually(async () => (await parent.status()) === 'waiting', 'the parent to wait for the sibling');
    await sibling.signal('go', 'done');
    expect(await sibling.result()).toBe('done');
    const failure = (await parent.result().catch((e: unknown) => e)) as WorkflowFailure;
    expect(failure).toBeInstanceOf(WorkflowFailure);
    expect(failure.cause).toBeInstanceOf(ChildWorkflowFailure);
    expect(failure.cause).toMatchObject({ workflowId: 'fan/fanout.failing#0', status: 'failed' });
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('priorities order the starts', async () => {
    Counting.running = 0;
    Counting.max = 0;
    Counting.order = [];
    Counting.gate = new Latch();
    const { engine } = await engineWith([Counting], { limited: { concurrency: 1 } });
    const blocker = await engine.startWorkflow(Counting, 'job', [-1]);
    await eventually(() => Counting.running === 1, 'the blocker to run');
    const handles = [];
    for (const [n, priority] of [[1, 0], [2, 5], [3, 1], [4, 10], [5, 5]] as const) handles.push(await engine.startWorkflow(Counting, 'job', [n], { priority }));
    Counting.gate.open();
    await Promise.all([blocker, ...handles].map((h) => h.result()));
    expect(Counting.order).toEqual([-1, 4, 2, 5, 3, 1]);
  });

  it('a rate-limited queue never starts more than its limit in any window', async () => {
    Counting.gate = new Latch();
    Counting.gate.open();
    const { engine } = await engineWith([Counting], { limited: { concurrency: 10, rateLimit: { limit: 3, intervalMs: 200 } } });
    const handles = await Promise.all(Array.from({ length: 9 }, (_, n) => engine.startWorkflow(Counting, 'job', [n])));
    await Promise.all(handles.map((h) => h.result()));
    const starts = (await Promise.all(handles.map((h) => h.describe()))).map((d) => d.executions[0]!.startedAt.getTime()).sort((a, b) => a - b);
    for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(200);
  });

  it('a parent waiting on children of its own concurrency-1 queue completes (no deadlock), with a cross-queue child too', async () => {
    const { engine, file } = await engineWith([Nest], { single: { concurrency: 1 }, other: { concurrency: 1 } });
    const handle = await engine.startWorkflow(Nest, 'parent', [], { id: 'nest-1' });
    expect(await handle.result()).toBe(12);
    const d = await handle.describe();
    expect(d.children.map((c) => [c.workflowId, c.queue])).toEqual([
      ['nest-1/nest.child#0', 'single'],
      ['nest-1/nest.child#1', 'single'],
      ['nest-1/nest.child#2', 'other'],
    ]);
    expect(d.executions.length).toBeGreaterThan(1);
    expect(d.executions.at(-1)!.reason).toBe('wake');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("a child id refused by child() is an InvalidOptionsError naming child()'s id, not the builder's withId", async () => {
    const { engine, file } = await engineWith([Twins]);
    const [first, twice, automatic] = await (await engine.startWorkflow(Twins, 'parent', [], { id: 'twins-1' })).result();
    expect(first).toBe('1');
    expect(twice).toBe('InvalidOptionsError id: Invalid option "id" for workflowContext().child() in workflow "twins-1": step id "same" is used twice in one generation');
    expect(automatic).toMatch(/^InvalidOptionsError id: Invalid option "id" for workflowContext\(\)\.child\(\) in workflow "twins-1": step id "a#1" may not contain "#"/);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a detached start inside a workflow that is then retried creates one new run, not two', async () => {
    Detaching.attempts = 0;
    const { engine } = await engineWith([Detaching]);
    const handle = await engine.startWorkflow(Detaching, 'main', [], { id: 'detach-1' });
    const reportId = await handle.result();
    expect(Detaching.attempts).toBe(2);
    expect(reportId).toBe('detach-1/tempolite.startWorkflow#0');
    const reports = await engine.list({ name: 'detaching.report' });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.runId).not.toBe(handle.runId);
    expect(await (await engine.getHandle(reportId)).result()).toBe('report q3');
  });

  it('continue-as-new 5 times: one entity, 6 executions, checkpoints per generation, result is the final value', async () => {
    Looping.steps = [];
    const { engine, file } = await engineWith([Looping]);
    const handle = await engine.startWorkflow(Looping, 'run', [0, 0], { id: 'loop-1' });
    expect(await handle.result()).toBe('done at 5, total 15');
    const d = await handle.describe();
    expect(d.generation).toBe(5);
    expect(d.executions.map((e) => [e.generation, e.reason, e.status])).toEqual([
      [0, 'start', 'continued'],
      [1, 'continue', 'continued'],
      [2, 'continue', 'continued'],
      [3, 'continue', 'continued'],
      [4, 'continue', 'continued'],
      [5, 'continue', 'completed'],
    ]);
    expect(d.steps.map((s) => [s.generation, s.stepId])).toEqual([0, 1, 2, 3, 4, 5].map((g) => [g, 'looping.poll#0']));
    expect(Looping.steps).toEqual(['poll 0', 'poll 1', 'poll 2', 'poll 3', 'poll 4', 'poll 5']);
    expect((await engine.list()).length).toBe(1);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
