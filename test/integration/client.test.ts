import 'reflect-metadata';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Activity,
  DatabaseInUseError,
  InvalidOptionsError,
  OutsideWorkflowError,
  TestClock,
  Tempolite,
  Workflow,
  WorkflowIdConflictError,
  WorkflowNotFoundError,
  activityContext,
  registerActivity,
  registerSideEffect,
  registerWorkflow,
  silentLogger,
  workflowContext,
  type ActivityContext,
  type ListOptions,
} from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { Latch } from '../helpers/latch.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { onPostgres } from '../helpers/test-store.js';

class Greeter {
  static seen: ActivityContext[] = [];
  static failFirst = false;
  static started = new Latch();
  @Activity({ name: 'greeter.greet', retry: { maxAttempts: 3, initialIntervalMs: 1 } }) async greet(name: string): Promise<string> {
    const ctx = activityContext();
    Greeter.seen.push(ctx);
    if (Greeter.failFirst && ctx.attempt === 1) throw new Error('first attempt fails');
    return `hello ${name}`;
  }
  static blocking = true;
  @Activity({ name: 'greeter.block' }) async block(): Promise<string> {
    const { signal } = activityContext();
    Greeter.started.open();
    if (!Greeter.blocking) return 'done';
    // Like fetch(url, { signal }): the call rejects when the signal aborts.
    await new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted by close')), { once: true }));
    return 'unreachable';
  }
  @Workflow({ name: 'greeter.hello' }) async hello(name: string): Promise<string> {
    return this.greet(name);
  }
  @Workflow({ name: 'greeter.other' }) async other(): Promise<string> {
    return 'other';
  }
  @Workflow({ name: 'greeter.ids' }) async ids(): Promise<string[]> {
    const ctx = workflowContext();
    const a = await ctx.withId('first-greeting').run(() => this.greet('a'));
    const b = await ctx.withRetry({ maxAttempts: 1 }).withId('second-greeting').run(() => this.greet('b'));
    return [a, b, ctx.workflowId];
  }
  /** Explicit ids in the forms of automatic ones, then the automatic call they would have shadowed. */
  @Workflow({ name: 'greeter.shadowIds' }) async shadowIds(): Promise<string[]> {
    const ctx = workflowContext();
    const refused = async (id: string): Promise<string> =>
      ctx.withId(id).run(() => this.greet('shadow')).then(
        () => 'ran',
        (error: unknown) => (error instanceof InvalidOptionsError ? error.reason : String(error)),
      );
    return [await refused('greeter.greet#0'), await refused('tempolite.sleep#0'), await refused('tempolite.mine'), await this.greet('real')];
  }
  /** Builders used wrongly: a run() that makes no step call, one that makes two. */
  @Workflow({ name: 'greeter.builderMisuse' }) async builderMisuse(): Promise<string[]> {
    const ctx = workflowContext();
    const outcome = (done: Promise<unknown>): Promise<string> => done.then(() => 'ran', (error: unknown) => (error as Error).name);
    const none = await outcome(ctx.withId('none').run(async () => 'no step'));
    const two = await outcome(ctx.withId('two').run(async () => `${await this.greet('x')} ${await this.greet('y')}`));
    return [none, two];
  }
  @Workflow({ name: 'greeter.blocking' }) async blocking(): Promise<string> {
    return this.block();
  }
}

/** An activity that always fails, called through two chained withRetry calls. */
class Chained {
  static calls = 0;
  @Activity({ name: 'chained.always', retry: { maxAttempts: 5, initialIntervalMs: 1 } }) async always(): Promise<string> {
    Chained.calls += 1;
    throw new Error('no');
  }
  @Workflow({ name: 'chained.run' }) async run(): Promise<number> {
    return workflowContext()
      .withRetry({ maxAttempts: 2 })
      .withRetry({ initialIntervalMs: 1 })
      .run(() => this.always())
      .then(
        () => -1,
        () => Chained.calls,
      );
  }
}

const shout = registerActivity('fn.shout', async (text: string) => text.toUpperCase());
const pick = registerSideEffect('fn.pick', async () => Math.random());
const fnFlow = registerWorkflow('fn.flow', async (text: string) => `${await shout(text)}:${typeof (await pick())}`);

describe('client and contexts', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function engineWith(register: unknown[]): Promise<{ engine: Tempolite; file: string }> {
    const started = await startEngine({ register });
    cleanups.push(started.dispose);
    return started;
  }

  it('starting the same id twice gives the same workflow; another workflow under that id is a conflict', async () => {
    const { engine, file } = await engineWith([Greeter]);
    const first = await engine.startWorkflow(Greeter, 'hello', ['ana'], { id: 'greet-ana' });
    const second = await engine.startWorkflow(Greeter, 'hello', ['bob'], { id: 'greet-ana' });
    expect(second.runId).toBe(first.runId);
    expect(await second.result()).toBe('hello ana');
    const conflict = (await engine.startWorkflow(Greeter, 'other', [], { id: 'greet-ana' }).catch((e: unknown) => e)) as WorkflowIdConflictError;
    expect(conflict).toBeInstanceOf(WorkflowIdConflictError);
    expect(conflict).toMatchObject({ workflowId: 'greet-ana', existingName: 'greeter.hello', requestedName: 'greeter.other' });
    expect(await engine.list()).toHaveLength(1);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('getHandle and list', async () => {
    const { engine } = await engineWith([Greeter]);
    await (await engine.startWorkflow(Greeter, 'hello', ['a'], { id: 'l-1' })).result();
    await (await engine.startWorkflow(Greeter, 'other', [], { id: 'l-2' })).result();
    expect(await (await engine.getHandle<string>('l-1')).result()).toBe('hello a');
    await expect(engine.getHandle('missing')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await engine.list({ name: 'greeter.other' })).map((w) => w.workflowId)).toEqual(['l-2']);
    expect((await engine.list({ status: ['completed'], limit: 1 })).length).toBe(1);
    expect(await engine.list({ status: 'failed' })).toEqual([]);

    // Bad filters are refused with the option they name, rather than matching nothing.
    const refused = async (options: unknown): Promise<InvalidOptionsError> => (await engine.list(options as ListOptions).catch((e: unknown) => e)) as InvalidOptionsError;
    expect(await refused({ status: 'bogus' })).toMatchObject({ code: 'TEMPOLITE_INVALID_OPTIONS', subject: 'list()', path: 'status' });
    expect((await refused({ status: ['completed', 'done'] })).reason).toContain('unknown status "done"');
    expect(await refused({ status: [] })).toMatchObject({ path: 'status' });
    expect(await refused({ bogus: 1 })).toMatchObject({ path: 'bogus' });
    expect(await refused({ name: 42 })).toMatchObject({ path: 'name', reason: 'must be a string' });
    expect(await refused({ queue: ['default'] })).toMatchObject({ path: 'queue' });
    expect(await refused({ limit: 0 })).toMatchObject({ path: 'limit' });
    expect(await refused({ offset: -1 })).toMatchObject({ path: 'offset' });
    expect(await refused({ status: 'bogus' })).toBeInstanceOf(InvalidOptionsError);
    expect((await engine.list()).length).toBe(2);
  });

  it('list() is newest first also among workflows created in the same millisecond (by id, descending)', async () => {
    const clock = new TestClock();
    const started = await startEngine({ register: [Greeter], clock, workers: false });
    cleanups.push(started.dispose);
    // The clock does not move: every workflow has the same createdAt, and the default UUID v7 ids grow.
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await started.engine.startWorkflow(Greeter, 'hello', [`n${i}`])).workflowId);
    expect([...ids].sort()).toEqual(ids);
    expect((await started.engine.list()).map((w) => w.workflowId)).toEqual([...ids].reverse());
    const pages = [...(await started.engine.list({ limit: 2 })), ...(await started.engine.list({ limit: 2, offset: 2 })), ...(await started.engine.list({ limit: 2, offset: 4 }))];
    expect(pages.map((w) => w.workflowId)).toEqual([...ids].reverse());
  });

  it('calling a @Workflow method outside any workflow starts it durably and awaits it', async () => {
    const { engine } = await engineWith([Greeter]);
    const result = await new Greeter().hello('outside');
    expect(result).toBe('hello outside');
    expect((await engine.list({ name: 'greeter.hello' })).map((w) => w.status)).toEqual(['completed']);
    // Activities called outside a workflow simply run.
    expect(await new Greeter().other()).toBe('other');
  });

  it('explicit step ids and per-call retry through the context builder', async () => {
    const { engine } = await engineWith([Greeter]);
    const handle = await engine.startWorkflow(Greeter, 'ids', [], { id: 'ids-1' });
    expect(await handle.result()).toEqual(['hello a', 'hello b', 'ids-1']);
    expect((await handle.describe()).steps.map((s) => s.stepId)).toEqual(['first-greeting', 'second-greeting']);
    expect(() => workflowContext()).toThrow(OutsideWorkflowError);
    expect(() => activityContext()).toThrow(OutsideWorkflowError);
  });

  it("an explicit id in the form of an automatic one is refused, so it never returns another call's checkpoint", async () => {
    const { engine, file } = await engineWith([Greeter]);
    const handle = await engine.startWorkflow(Greeter, 'shadowIds', [], { id: 'shadow-1' });
    const [first, second, third, real] = await handle.result();
    for (const reason of [first, second, third]) expect(reason).toMatch(/may not contain "#" or start with "tempolite\."/);
    expect(real).toBe('hello real');
    expect((await handle.describe()).steps.map((s) => s.stepId)).toEqual(['greeter.greet#0']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('NUL in an id, a signal name, a step id or a list filter is refused on both stores (PostgreSQL text cannot hold it)', async () => {
    const { engine, file } = await engineWith([Greeter]);
    const before = await countRows(file);
    await expect(engine.startWorkflow(Greeter, 'hello', ['x'], { id: 'a\u0000b' })).rejects.toMatchObject({ name: 'InvalidOptionsError', path: 'id' });
    await expect(engine.list({ name: 'greeter\u0000' })).rejects.toMatchObject({ name: 'InvalidOptionsError', path: 'name' });
    await expect(engine.getHandle('a\u0000b')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(engine.startWorkflow(Greeter, 'hello', ['x'], { queue: 'a\u0000b' })).rejects.toMatchObject({ name: 'InvalidOptionsError', path: 'queue' });
    expect(await countRows(file)).toEqual(before);
    const handle = await engine.startWorkflow(Greeter, 'hello', ['nul'], { id: 'nul-1' });
    await expect(handle.signal('bad\u0000name')).rejects.toMatchObject({ name: 'InvalidOptionsError' });
    expect(await handle.result()).toBe('hello nul');
  });

  it('chained withRetry calls merge: the first one\'s maxAttempts holds under the second one\'s interval', async () => {
    Chained.calls = 0;
    const { engine } = await engineWith([Chained]);
    expect(await (await engine.startWorkflow(Chained, 'run', [])).result()).toBe(2);
  });

  it('a misspelt start option is an InvalidOptionsError naming it, and nothing is started', async () => {
    const { engine, file } = await engineWith([Greeter]);
    const before = await countRows(file);
    const error = await engine.startWorkflow(Greeter, 'hello', ['x'], { id: 'typo', priorty: 5 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ path: 'priorty' });
    // A priority outside 32 bits, which PostgreSQL could not store, is refused on both stores.
    for (const priority of [2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER]) {
      const big = await engine.startWorkflow(Greeter, 'hello', ['x'], { id: 'big', priority }).catch((e: unknown) => e);
      expect(big).toBeInstanceOf(InvalidOptionsError);
      expect(big).toMatchObject({ path: 'priority', reason: 'must be an integer from -2147483647 to 2147483647' });
    }
    expect(await countRows(file)).toEqual(before);
    expect(await (await engine.startWorkflow(Greeter, 'hello', ['x'], { id: 'max', priority: 2 ** 31 - 1 })).result()).toBe('hello x');
  });

  it('a builder run() that makes no step call, or two, is an EngineStateError; the one call it made is recorded under its id', async () => {
    const { engine, file } = await engineWith([Greeter]);
    const handle = await engine.startWorkflow(Greeter, 'builderMisuse', [], { id: 'misuse-1' });
    expect(await handle.result()).toEqual(['EngineStateError', 'EngineStateError']);
    expect((await handle.describe()).steps.map((s) => [s.stepId, s.status])).toEqual([['two', 'completed']]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('activity context: attempt numbers and a stable idempotency key', async () => {
    const { engine } = await engineWith([Greeter]);
    Greeter.seen = [];
    Greeter.failFirst = true;
    await (await engine.startWorkflow(Greeter, 'hello', ['x'])).result();
    Greeter.failFirst = false;
    expect(Greeter.seen.map((c) => c.attempt)).toEqual([1, 2]);
    expect(new Set(Greeter.seen.map((c) => c.idempotencyKey)).size).toBe(1);
    expect(Greeter.seen[0]).toMatchObject({ stepId: 'greeter.greet#0', name: 'greeter.greet' });
  });

  it('close() aborts running activities and leaves the workflow resumable', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const first = await startEngine({ register: [Greeter] }, temp.file);
    Greeter.started = new Latch();
    await first.engine.startWorkflow(Greeter, 'blocking', [], { id: 'block-1' });
    await Greeter.started.wait();
    await first.engine.close();
    // An engine without the workflow's code leaves it untouched.
    const bystander = new Tempolite({ database: temp.file, logger: silentLogger, register: [] });
    await bystander.start();
    const description = await (await bystander.getHandle('block-1')).describe();
    await bystander.close();
    expect(description.status).toBe('pending');
    expect(description.executions.map((e) => e.status)).toEqual(['interrupted']);
    expect(description.steps[0]!.executions.map((e) => e.status)).toEqual(['interrupted']);
    // An engine with the code resumes it; the interrupted attempt did not count against the retry policy.
    Greeter.blocking = false;
    const resumed = await startEngine({ register: [Greeter] }, temp.file);
    cleanups.push(() => resumed.engine.close());
    const handle = await resumed.engine.getHandle<string>('block-1');
    expect(await handle.result()).toBe('done');
    const after = await handle.describe();
    expect(after.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'interrupted'],
      ['recovery', 'completed'],
    ]);
    expect(after.steps[0]!.executions.map((e) => [e.attempt, e.status])).toEqual([
      [1, 'interrupted'],
      [1, 'completed'],
    ]);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('decorator-free twins', async () => {
    const { engine } = await engineWith([shout, pick, fnFlow]);
    const handle = await engine.startWorkflow(fnFlow, ['hey']);
    expect(await handle.result()).toBe('HEY:number');
    expect((await handle.describe()).steps.map((s) => s.stepId)).toEqual(['fn.shout#0', 'fn.pick#0']);
  });

  // SQLite only: any number of engines share a PostgreSQL database (test/scale-out/).
  it.skipIf(onPostgres)('one engine per SQLite file: a second one is refused with DatabaseInUseError', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const first = await startEngine({ register: [Greeter] }, temp.file);
    cleanups.push(() => first.engine.close());
    const second = new Tempolite({ database: temp.file, logger: silentLogger, register: [Greeter] });
    await expect(second.start()).rejects.toBeInstanceOf(DatabaseInUseError);
    // Through a symbolic link to the file it is the same file, and the same lock.
    const link = join(temp.dir, 'link.db');
    symlinkSync(temp.file, link);
    const linked = new Tempolite({ database: link, logger: silentLogger, register: [Greeter] });
    await expect(linked.start()).rejects.toBeInstanceOf(DatabaseInUseError);
    expect(await (await first.engine.startWorkflow(Greeter, 'other', [])).result()).toBe('other');
  });

  it('an engine can be started again after close() (it is a DI singleton)', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const engine = new Tempolite({ database: temp.file, logger: silentLogger, register: [Greeter] });
    await engine.start();
    await (await engine.startWorkflow(Greeter, 'hello', ['one'], { id: 'restart-1' })).result();
    await engine.close();
    await expect(engine.list()).rejects.toThrow(/was closed/);
    await engine.start();
    cleanups.push(() => engine.close());
    expect(await (await engine.getHandle<string>('restart-1')).result()).toBe('hello one');
    expect(await (await engine.startWorkflow(Greeter, 'hello', ['two'])).result()).toBe('hello two');
  });

  it.skipIf(onPostgres)(':memory: works', async () => {
    const engine = new Tempolite({ database: ':memory:', logger: silentLogger, register: [Greeter] });
    await engine.start();
    cleanups.push(() => engine.close());
    expect(await (await engine.startWorkflow(Greeter, 'hello', ['mem'])).result()).toBe('hello mem');
  });
});
