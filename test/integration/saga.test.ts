import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Activity,
  ActivityFailure,
  activityContext,
  CompensationFailure,
  MissingCompensationError,
  Saga,
  Tempolite,
  Workflow,
  WorkflowFailure,
  registerActivity,
  registerSaga,
  registerWorkflow,
  rootCause,
  silentLogger,
  workflowContext,
  type WorkflowDescription,
} from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { tempDatabase } from '../helpers/temp-db.js';

class SoldOut extends Error {
  override name = 'SoldOut';
}
class ApiDown extends Error {
  override name = 'ApiDown';
}

/** Three saga steps; the third fails terminally. */
class ThreeSteps {
  static log: unknown[][] = [];
  @Saga({ name: 'three.a', compensate: 'undoA' }) async a(who: string): Promise<string> {
    return `A(${who})`;
  }
  async undoA(who: string, result: string): Promise<void> {
    ThreeSteps.log.push(['undoA', who, result]);
  }
  @Saga({ name: 'three.b', compensate: 'undoB' }) async b(who: string, nights: number): Promise<{ ref: string; at: Date }> {
    return { ref: `B-${who}-${nights}`, at: new Date(Date.UTC(2030, 0, 1)) };
  }
  async undoB(who: string, nights: number, result: { ref: string; at: Date }): Promise<void> {
    ThreeSteps.log.push(['undoB', who, nights, result]);
  }
  @Saga({ name: 'three.c', compensate: 'undoC', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async c(): Promise<string> {
    throw new SoldOut('no cars left');
  }
  async undoC(): Promise<void> {
    ThreeSteps.log.push(['undoC']);
  }
  @Workflow({ name: 'three.flow' }) async flow(who: string): Promise<string> {
    await this.a(who);
    await this.b(who, 2);
    return this.c();
  }
}

/** Two saga steps then a failing activity; the second compensation fails `UndoB.failures` times. */
class UndoB {
  static log: string[] = [];
  static calls = 0;
  static failures = 0;
  static keys: string[] = [];
  @Saga({ name: 'undob.a', compensate: 'undoA' }) async a(): Promise<string> {
    return 'A';
  }
  async undoA(result: string): Promise<void> {
    UndoB.log.push(`undoA(${result})`);
  }
  @Saga({ name: 'undob.b', compensate: 'undoB', compensationRetry: { maxAttempts: 3, initialIntervalMs: 1 } }) async b(): Promise<string> {
    UndoB.keys.push(activityContext().idempotencyKey);
    return 'B';
  }
  async undoB(result: string): Promise<void> {
    UndoB.calls += 1;
    UndoB.keys.push(activityContext().idempotencyKey);
    if (UndoB.calls <= UndoB.failures) throw new ApiDown(`hotel API down #${UndoB.calls}`);
    UndoB.log.push(`undoB(${result})`);
  }
  @Activity({ name: 'undob.pay', retry: { maxAttempts: 1 } }) async pay(): Promise<void> {
    throw new Error('card declined');
  }
  @Workflow({ name: 'undob.flow' }) async flow(): Promise<void> {
    await this.a();
    await this.b();
    await this.pay();
  }
}

/** A saga step, then a body that fails once and is retried by its policy. */
class RetryAfterSaga {
  static bookings = 0;
  static undos = 0;
  static bodyFailures = 0;
  @Saga({ name: 'ras.book', compensate: 'unbook' }) async book(): Promise<string> {
    RetryAfterSaga.bookings += 1;
    return 'booked';
  }
  async unbook(): Promise<void> {
    RetryAfterSaga.undos += 1;
  }
  @Workflow({ name: 'ras.flow', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async flow(): Promise<string> {
    const booked = await this.book();
    if (RetryAfterSaga.bodyFailures > 0) {
      RetryAfterSaga.bodyFailures -= 1;
      throw new Error('transient failure after the saga step');
    }
    return booked;
  }
}

/** Explicit rollback from the body. */
class Rollback {
  static log: string[] = [];
  static bodyFailures = 0;
  @Saga({ name: 'rb.a', compensate: 'undoA' }) async a(): Promise<string> {
    Rollback.log.push('a');
    return 'A';
  }
  async undoA(result: string): Promise<void> {
    Rollback.log.push(`undoA(${result})`);
  }
  @Saga({ name: 'rb.b', compensate: 'undoB' }) async b(): Promise<string> {
    Rollback.log.push('b');
    return 'B';
  }
  async undoB(result: string): Promise<void> {
    Rollback.log.push(`undoB(${result})`);
  }
  @Saga({ name: 'rb.c', compensate: 'undoC' }) async c(): Promise<string> {
    Rollback.log.push('c');
    return 'C';
  }
  async undoC(result: string): Promise<void> {
    Rollback.log.push(`undoC(${result})`);
  }
  @Activity({ name: 'rb.check', retry: { maxAttempts: 1 } }) async check(): Promise<void> {
    throw new Error('fraud check failed');
  }
  /** Rolls back a and b, books c anyway, and is retried once after that: nothing runs twice, c is not compensated. */
  @Workflow({ name: 'rb.flow', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async flow(): Promise<string> {
    await this.a();
    await this.b();
    try {
      await this.check();
    } catch {
      await workflowContext().compensate();
    }
    const c = await this.c();
    if (Rollback.bodyFailures > 0) {
      Rollback.bodyFailures -= 1;
      throw new Error('re-enter after the rollback');
    }
    return `rolled back, then ${c}`;
  }
  /** Rolls back a and b, books c, then fails terminally: only c is left to compensate. */
  @Workflow({ name: 'rb.thenFail' }) async thenFail(): Promise<string> {
    await this.a();
    await this.b();
    await workflowContext().compensate();
    await this.c();
    throw new Error('gave up');
  }
}

/** A compensation whose retry wait is longer than the engine keeps in memory. */
class SlowRetry {
  static calls = 0;
  @Saga({ name: 'slow.book', compensate: 'unbook', compensationRetry: { maxAttempts: 2, initialIntervalMs: 30 } }) async book(): Promise<string> {
    return 'booked';
  }
  async unbook(): Promise<void> {
    SlowRetry.calls += 1;
    if (SlowRetry.calls === 1) throw new ApiDown('try again later');
  }
  @Activity({ name: 'slow.fail', retry: { maxAttempts: 1 } }) async fail(): Promise<void> {
    throw new Error('failed');
  }
  @Workflow({ name: 'slow.flow' }) async flow(): Promise<void> {
    await this.book();
    await this.fail();
  }
}

/** A child workflow with saga steps that fails, inside a parent that has its own saga step. */
class Family {
  static log: string[] = [];
  @Saga({ name: 'family.parentStep', compensate: 'undoParent' }) async parentStep(): Promise<string> {
    return 'P';
  }
  async undoParent(result: string): Promise<void> {
    Family.log.push(`undo parent ${result}`);
  }
  @Saga({ name: 'family.childStep', compensate: 'undoChild' }) async childStep(n: number): Promise<string> {
    return `C${n}`;
  }
  async undoChild(n: number, result: string): Promise<void> {
    Family.log.push(`undo child ${n} ${result}`);
  }
  @Activity({ name: 'family.fail', retry: { maxAttempts: 1 } }) async fail(): Promise<void> {
    throw new Error('child gave up');
  }
  @Workflow({ name: 'family.child' }) async child(): Promise<void> {
    await this.childStep(1);
    await this.childStep(2);
    await this.fail();
  }
  @Workflow({ name: 'family.parent' }) async parent(): Promise<void> {
    await this.parentStep();
    await this.child();
  }
}

class MissingUndo {
  @Saga({ name: 'bad.missing', compensate: 'undo' }) async book(): Promise<void> {}
  @Workflow({ name: 'bad.missing.flow' }) async flow(): Promise<void> {
    await this.book();
  }
}
class DecoratedUndo {
  @Saga({ name: 'bad.decorated', compensate: 'cancel' }) async book(): Promise<void> {}
  @Activity({ name: 'bad.decorated.cancel' }) async cancel(): Promise<void> {}
}

const fnLog: string[] = [];
const reserve = registerSaga(
  'fn.reserve',
  {
    run: async (sku: string, qty: number): Promise<{ reservation: string }> => ({ reservation: `R-${sku}-${qty}` }),
    compensate: async (sku: string, qty: number, result: { reservation: string }): Promise<void> => {
      fnLog.push(`release ${qty} ${sku} (${result.reservation})`);
    },
  },
  { compensationRetry: { maxAttempts: 2, initialIntervalMs: 1 } },
);
const ship = registerActivity(
  'fn.ship',
  async (): Promise<void> => {
    throw new Error('no courier');
  },
  { retry: { maxAttempts: 1 } },
);
const order = registerWorkflow('fn.order', async (sku: string): Promise<void> => {
  await reserve(sku, 1);
  await reserve(sku, 2);
  await ship();
});

function sagaSteps(d: WorkflowDescription): [string, string, string[]][] {
  return d.steps.map((s) => [s.stepId, s.status, s.executions.map((e) => `${e.kind ?? 'attempt'} ${e.attempt} ${e.status}`)]);
}

/** Transactions with an optional parameter, called without it and with it. */
class OptionalArgs {
  static log: unknown[][] = [];
  @Saga({ name: 'optargs.book', compensate: 'unbook' }) async book(trip: string, opts?: { vip: boolean }): Promise<string> {
    return `B-${trip}${opts?.vip === true ? '-vip' : ''}`;
  }
  async unbook(trip: string, opts: { vip: boolean } | undefined, booking: string): Promise<void> {
    OptionalArgs.log.push([trip, opts, booking]);
  }
  @Activity({ name: 'optargs.boom', retry: { maxAttempts: 1 } }) async boom(): Promise<void> {
    throw new Error('boom');
  }
  @Workflow({ name: 'optargs.flow' }) async flow(): Promise<void> {
    await this.book('paris');
    await this.book('rome', { vip: true });
    await bookFn('oslo');
    await this.boom();
  }
}
const bookFn = registerSaga('optargs.bookFn', {
  run: async (trip: string, opts?: { vip: boolean }) => ({ id: `F-${trip}${opts?.vip === true ? '-vip' : ''}` }),
  // Typed (trip, opts, flight): the result comes after every declared parameter, passed or not.
  compensate: async (trip, opts, flight) => {
    OptionalArgs.log.push([trip, opts, flight.id]);
  },
});

/** A compensation that fails with a huge message, after a step that failed the workflow. */
class HugeUndo {
  @Saga({ name: 'hugeundo.book', compensate: 'unbook', compensationRetry: { maxAttempts: 1 } }) async book(size: number): Promise<string> {
    return `B-${size}`;
  }
  async unbook(size: number): Promise<void> {
    throw new Error('M'.repeat(size));
  }
  @Activity({ name: 'hugeundo.boom', retry: { maxAttempts: 1 } }) async boom(): Promise<void> {
    throw new Error('boom');
  }
  @Workflow({ name: 'hugeundo.flow' }) async flow(size: number): Promise<string> {
    await this.book(size);
    await this.boom();
    return 'unreachable';
  }
}

describe('sagas', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function engineFor(register: unknown[]): Promise<{ engine: Tempolite; file: string }> {
    const started = await startEngine({ register });
    cleanups.push(started.dispose);
    return started;
  }

  it('three saga steps, the third fails terminally: compensations of 2 then 1 run with their arguments and results; status compensated', async () => {
    ThreeSteps.log = [];
    const { engine, file } = await engineFor([ThreeSteps]);
    const handle = await engine.startWorkflow(ThreeSteps, 'flow', ['ana'], { id: 'three-1' });

    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    expect((error as WorkflowFailure).cause).toBeInstanceOf(ActivityFailure);
    expect(rootCause(error)).toMatchObject({ name: 'SoldOut', message: 'no cars left' });

    expect(ThreeSteps.log).toEqual([
      ['undoB', 'ana', 2, { ref: 'B-ana-2', at: new Date(Date.UTC(2030, 0, 1)) }],
      ['undoA', 'ana', 'A(ana)'],
    ]);
    const d = await handle.describe();
    expect(d.status).toBe('compensated');
    expect(d.run.status).toBe('compensated');
    expect(rootCause(d.error)).toMatchObject({ name: 'SoldOut' });
    expect(d.executions.map((e) => [e.number, e.reason, e.status])).toEqual([
      [1, 'start', 'failed'],
      [2, 'compensate', 'completed'],
    ]);
    expect(sagaSteps(d)).toEqual([
      ['three.a#0', 'compensated', ['transaction 1 completed', 'compensation 1 completed']],
      ['three.b#0', 'compensated', ['transaction 1 completed', 'compensation 1 completed']],
      ['three.c#0', 'failed', ['transaction 1 failed', 'transaction 2 failed']],
    ]);
    // Transactions ran in the body's execution, compensations in the compensation phase's.
    const [body, phase] = d.executions;
    expect(d.steps[1]!.executions.map((e) => e.workflowExecutionId)).toEqual([body!.id, phase!.id]);
    // Compensation of b started before a's: reverse completion order.
    const started = (stepId: string): number => d.steps.find((s) => s.stepId === stepId)!.executions.find((e) => e.kind === 'compensation')!.startedAt.getTime();
    expect(started('three.b#0')).toBeLessThanOrEqual(started('three.a#0'));
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a compensation failing twice then succeeding under its retry policy leaves three compensation executions', async () => {
    UndoB.log = [];
    UndoB.calls = 0;
    UndoB.failures = 2;
    UndoB.keys = [];
    const { engine, file } = await engineFor([UndoB]);
    const handle = await engine.startWorkflow(UndoB, 'flow', [], { id: 'undo-flaky' });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);

    expect(UndoB.log).toEqual(['undoB(B)', 'undoA(A)']);
    const d = await handle.describe();
    expect(d.status).toBe('compensated');
    const b = d.steps.find((s) => s.stepId === 'undob.b#0')!;
    expect(b.status).toBe('compensated');
    expect(b.compensationError).toBeUndefined();
    expect(b.executions.map((e) => [e.kind, e.attempt, e.status, e.error?.message])).toEqual([
      ['transaction', 1, 'completed', undefined],
      ['compensation', 1, 'failed', 'hotel API down #1'],
      ['compensation', 2, 'failed', 'hotel API down #2'],
      ['compensation', 3, 'completed', undefined],
    ]);
    expect(b.executions[1]!.error).toMatchObject({ name: 'ApiDown' });
    // The transaction's key, then one key for all three compensation attempts: both UUIDs, not the same.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(UndoB.keys).toHaveLength(4);
    for (const key of UndoB.keys) expect(key).toMatch(uuid);
    expect(new Set(UndoB.keys.slice(1)).size).toBe(1);
    expect(UndoB.keys[1]).not.toBe(UndoB.keys[0]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a compensation failing terminally ends compensation_failed with both errors visible; engine.retry() resumes from it', async () => {
    UndoB.log = [];
    UndoB.calls = 0;
    UndoB.failures = 3;
    const { engine, file } = await engineFor([UndoB]);
    const handle = await engine.startWorkflow(UndoB, 'flow', [], { id: 'undo-broken' });

    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    const failure = (error as WorkflowFailure).cause as CompensationFailure;
    expect(failure).toBeInstanceOf(CompensationFailure);
    expect(failure).toMatchObject({ code: 'TEMPOLITE_COMPENSATION_FAILED', workflowId: 'undo-broken', stepId: 'undob.b#0', sagaName: 'undob.b', attempts: 3 });
    expect(failure.cause).toMatchObject({ name: 'ApiDown', message: 'hotel API down #3' });
    expect(failure.originalFailure).toBeInstanceOf(ActivityFailure);
    expect(rootCause(failure.originalFailure)).toMatchObject({ message: 'card declined' });
    expect((error as Error).message).toContain('hotel API down #3');
    expect((error as Error).message).toContain('card declined');

    // Stops at the first compensation that gives up: a stays booked, so nothing is undone out of order.
    expect(UndoB.log).toEqual([]);
    const d = await handle.describe();
    expect(d.status).toBe('compensation_failed');
    expect(rootCause(d.error)).toMatchObject({ message: 'card declined' });
    expect(d.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['compensate', 'failed'],
    ]);
    expect(d.executions[1]!.error).toBeInstanceOf(CompensationFailure);
    const b = d.steps.find((s) => s.stepId === 'undob.b#0')!;
    expect(b.status).toBe('compensation_failed');
    expect(b.compensationError).toMatchObject({ name: 'ApiDown', message: 'hotel API down #3' });
    expect(d.steps.find((s) => s.stepId === 'undob.a#0')!.status).toBe('completed');
    expect(await checkConsistency(file)).toEqual([]);

    // Fixed: a retry gives the failed compensation a fresh round and goes on in order.
    UndoB.failures = 0;
    const again = await engine.retry('undo-broken');
    const retried = await again.result().catch((e: unknown) => e);
    expect((retried as WorkflowFailure).cause).toBeInstanceOf(ActivityFailure);
    expect(UndoB.log).toEqual(['undoB(B)', 'undoA(A)']);
    const after = await again.describe();
    expect(after.status).toBe('compensated');
    expect(after.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['compensate', 'failed'],
      ['compensate', 'completed'],
    ]);
    expect(sagaSteps(after)).toEqual([
      ['undob.a#0', 'compensated', ['transaction 1 completed', 'compensation 1 completed']],
      ['undob.b#0', 'compensated', ['transaction 1 completed', 'compensation 1 failed', 'compensation 2 failed', 'compensation 3 failed', 'compensation 1 completed']],
      ['undob.pay#0', 'failed', ['attempt 1 failed']],
    ]);
    await expect(engine.retry('undo-broken')).rejects.toMatchObject({ code: 'TEMPOLITE_INVALID_STATE', status: 'compensated' });
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a compensation error too big to store whole still reaches result() as a CompensationFailure with the original failure', async () => {
    const started = await startEngine({ register: [HugeUndo], maxPayloadBytes: 100_000 });
    cleanups.push(started.dispose);
    const handle = await started.engine.startWorkflow(HugeUndo, 'flow', [60_000], { id: 'huge-undo' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    const failure = (error as WorkflowFailure).cause as CompensationFailure;
    expect(failure).toBeInstanceOf(CompensationFailure);
    expect(failure).toMatchObject({ workflowId: 'huge-undo', stepId: 'hugeundo.book#0', attempts: 1 });
    expect(failure.originalFailure).toBeInstanceOf(ActivityFailure);
    expect(rootCause(failure.originalFailure)).toMatchObject({ message: 'boom' });
    expect((failure.cause as Error).message.startsWith('MMM')).toBe(true);
    expect((await handle.describe()).status).toBe('compensation_failed');
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('a workflow retry after a completed saga step neither runs it again nor compensates it', async () => {
    RetryAfterSaga.bookings = 0;
    RetryAfterSaga.undos = 0;
    RetryAfterSaga.bodyFailures = 1;
    const { engine, file } = await engineFor([RetryAfterSaga]);
    const handle = await engine.startWorkflow(RetryAfterSaga, 'flow', []);
    expect(await handle.result()).toBe('booked');
    expect(RetryAfterSaga.bookings).toBe(1);
    expect(RetryAfterSaga.undos).toBe(0);
    const d = await handle.describe();
    expect(d.status).toBe('completed');
    expect(d.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['retry', 'completed'],
    ]);
    expect(sagaSteps(d)).toEqual([['ras.book#0', 'completed', ['transaction 1 completed']]]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('workflowContext().compensate() rolls back the saga steps completed so far, once, and the body goes on', async () => {
    Rollback.log = [];
    Rollback.bodyFailures = 1;
    const { engine, file } = await engineFor([Rollback]);
    const handle = await engine.startWorkflow(Rollback, 'flow', [], { id: 'rollback-1' });
    expect(await handle.result()).toBe('rolled back, then C');

    // The re-entered body replays a, b, compensate() and c: nothing runs twice, and c (booked after the call) is not undone.
    expect(Rollback.log).toEqual(['a', 'b', 'undoB(B)', 'undoA(A)', 'c']);
    const d = await handle.describe();
    expect(d.status).toBe('completed');
    expect(d.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['retry', 'completed'],
    ]);
    expect(d.steps.filter((s) => s.kind === 'saga').map((s) => [s.stepId, s.status])).toEqual([
      ['rb.a#0', 'compensated'],
      ['rb.b#0', 'compensated'],
      ['rb.c#0', 'completed'],
    ]);
    // The compensations ran inside the body's first execution.
    const a = d.steps.find((s) => s.stepId === 'rb.a#0')!;
    expect(a.executions.map((e) => [e.kind, e.workflowExecutionId])).toEqual([
      ['transaction', d.executions[0]!.id],
      ['compensation', d.executions[0]!.id],
    ]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('after an explicit compensate(), a terminal failure compensates only what is left', async () => {
    Rollback.log = [];
    const { engine, file } = await engineFor([Rollback]);
    const handle = await engine.startWorkflow(Rollback, 'thenFail', [], { id: 'rollback-2' });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(Rollback.log).toEqual(['a', 'b', 'undoB(B)', 'undoA(A)', 'c', 'undoC(C)']);
    const d = await handle.describe();
    expect(d.status).toBe('compensated');
    expect(d.steps.filter((s) => s.kind === 'saga').every((s) => s.status === 'compensated')).toBe(true);
    // What the compensate() call covered is recorded, so a re-entry replays the same set.
    expect(d.steps.filter((s) => s.kind === 'sideEffect').map((s) => [s.stepId, s.output])).toEqual([['tempolite.compensate#0', ['rb.a#0', 'rb.b#0']]]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a long wait between compensation attempts releases the workflow, still compensating, and a worker resumes it', async () => {
    SlowRetry.calls = 0;
    const started = await startEngine({ register: [SlowRetry], suspendAfterMs: 0, pollIntervalMs: 5 });
    cleanups.push(started.dispose);
    const handle = await started.engine.startWorkflow(SlowRetry, 'flow', []);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(SlowRetry.calls).toBe(2);
    const d = await handle.describe();
    expect(d.status).toBe('compensated');
    expect(d.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['compensate', 'suspended'],
      ['compensate', 'completed'],
    ]);
    const attempts = d.steps.find((s) => s.stepId === 'slow.book#0')!.executions.filter((e) => e.kind === 'compensation');
    expect(attempts.map((e) => [e.attempt, e.status])).toEqual([
      [1, 'failed'],
      [2, 'completed'],
    ]);
    // The durable wait was honoured across the suspension.
    expect(attempts[1]!.startedAt.getTime() - attempts[0]!.endedAt!.getTime()).toBeGreaterThanOrEqual(30);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('a child workflow compensates its own saga steps; the parent, failing in turn, compensates only its own', async () => {
    Family.log = [];
    const { engine, file } = await engineFor([Family]);
    const handle = await engine.startWorkflow(Family, 'parent', [], { id: 'family-1' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    expect((error as WorkflowFailure).cause).toMatchObject({ name: 'ChildWorkflowFailure', status: 'compensated' });
    expect(rootCause(error)).toMatchObject({ message: 'child gave up' });
    expect(Family.log).toEqual(['undo child 2 C2', 'undo child 1 C1', 'undo parent P']);
    const d = await handle.describe();
    expect(d.status).toBe('compensated');
    expect(d.steps.filter((s) => s.kind === 'saga').map((s) => [s.stepId, s.status])).toEqual([['family.parentStep#0', 'compensated']]);
    expect(d.children).toHaveLength(1);
    expect(d.children[0]!.status).toBe('compensated');
    expect(d.children[0]!.steps.filter((s) => s.kind === 'saga').map((s) => s.status)).toEqual(['compensated', 'compensated']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("a transaction called without its optional argument: the compensation still gets the result after every declared parameter", async () => {
    OptionalArgs.log = [];
    const { engine, file } = await engineFor([OptionalArgs, bookFn]);
    const handle = await engine.startWorkflow(OptionalArgs, 'flow', []);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(OptionalArgs.log).toEqual([
      ['oslo', undefined, 'F-oslo'],
      ['rome', { vip: true }, 'B-rome-vip'],
      ['paris', undefined, 'B-paris'],
    ]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('function sagas from registerSaga are compensated with their arguments and results', async () => {
    fnLog.length = 0;
    const { engine, file } = await engineFor([reserve, ship, order]);
    const handle = await engine.startWorkflow(order, ['sku-9']);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(fnLog).toEqual(['release 2 sku-9 (R-sku-9-2)', 'release 1 sku-9 (R-sku-9-1)']);
    expect(await handle.status()).toBe('compensated');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a missing or decorated compensation method is refused at start with MissingCompensationError; nothing is written', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const good = await startEngine({ register: [RetryAfterSaga] }, temp.file);
    RetryAfterSaga.bodyFailures = 0;
    await (await good.engine.startWorkflow(RetryAfterSaga, 'flow', [])).result();
    await good.engine.close();
    const before = await countRows(temp.file);

    for (const [cls, compensate, reason] of [
      [MissingUndo, 'undo', /has no method "undo"/],
      [DecoratedUndo, 'cancel', /itself decorated \(@activity\)/],
    ] as const) {
      const engine = new Tempolite({ database: temp.file, logger: silentLogger, register: [cls] });
      const error = await engine.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      await engine.close();
      expect(error).toBeInstanceOf(MissingCompensationError);
      expect(error).toMatchObject({ code: 'TEMPOLITE_MISSING_COMPENSATION', className: cls.name, methodName: 'book', compensate });
      expect((error as Error).message).toMatch(reason);
      expect(await countRows(temp.file)).toEqual(before);
      expect(await checkConsistency(temp.file)).toEqual([]);
    }
  });
});
