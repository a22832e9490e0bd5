import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, NonDeterminismError, Saga, SideEffect, Workflow, WorkflowFailure, silentLogger, workflowContext, type Logger, type WorkflowHandle } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { startEngine } from '../helpers/engine.js';
import { tempDatabase } from '../helpers/temp-db.js';

const ran: string[] = [];
let gateBroken = true;

/** The code as first deployed: a, then b, then a gate that fails until fixed. */
class FlowV1 {
  @Activity({ name: 'det.a' }) async a(): Promise<string> {
    ran.push('a');
    return 'A';
  }
  @Activity({ name: 'det.b' }) async b(): Promise<string> {
    ran.push('b');
    return 'B';
  }
  @Activity({ name: 'det.gate', retry: { maxAttempts: 1 } }) async gate(): Promise<string> {
    ran.push('gate');
    if (gateBroken) throw new Error('gate closed');
    return 'G';
  }
  @Workflow({ name: 'det.flow' }) async flow(): Promise<string> {
    const a = await this.a();
    const b = await this.b();
    return a + b + (await this.gate());
  }
}

/** The next deployment swaps the two differently named steps. */
class FlowV2 {
  @Activity({ name: 'det.a' }) async a(): Promise<string> {
    ran.push('a');
    return 'A';
  }
  @Activity({ name: 'det.b' }) async b(): Promise<string> {
    ran.push('b');
    return 'B';
  }
  @Activity({ name: 'det.gate', retry: { maxAttempts: 1 } }) async gate(): Promise<string> {
    ran.push('gate');
    return 'G';
  }
  @Workflow({ name: 'det.flow' }) async flow(): Promise<string> {
    const b = await this.b();
    const a = await this.a();
    return a + b + (await this.gate());
  }
}

class Booking {
  static log: string[] = [];
  @Saga({ name: 'det.hotel', compensate: 'unbook' }) async hotel(): Promise<string> {
    Booking.log.push('hotel');
    return 'H';
  }
  async unbook(): Promise<void> {
    Booking.log.push('unbook hotel');
  }
  @Workflow({ name: 'det.trip' }) async trip(): Promise<string> {
    const hotel = await this.hotel();
    await workflowContext().waitForSignal('go');
    return hotel;
  }
}

/** The saga step turned into an activity under the same name. */
class BookingV2 {
  @Activity({ name: 'det.hotel' }) async hotel(): Promise<string> {
    Booking.log.push('hotel as activity');
    return 'H';
  }
  @Workflow({ name: 'det.trip' }) async trip(): Promise<string> {
    const hotel = await this.hotel();
    await workflowContext().waitForSignal('go');
    return hotel;
  }
}

/** A deployment that turned the activity `det.a` into a side effect under the same name. */
class FlowV3 {
  static swallow = false;
  @SideEffect({ name: 'det.a' }) async a(): Promise<string> {
    ran.push('a as side effect');
    return 'A';
  }
  @Activity({ name: 'det.b' }) async b(): Promise<string> {
    ran.push('b');
    return 'B';
  }
  @Activity({ name: 'det.gate' }) async gate(): Promise<string> {
    ran.push('gate');
    return 'G';
  }
  @Workflow({ name: 'det.flow' }) async flow(): Promise<string> {
    let a = 'lost';
    try {
      a = await this.a();
    } catch (error) {
      if (!FlowV3.swallow) throw error;
    }
    return a + (await this.b()) + (await this.gate());
  }
}

/** Waits for signal `a` then `b`; the next deployment waits for `x` first. */
class Approvals {
  static first = 'a';
  @Workflow({ name: 'det.approvals' }) async run(): Promise<string> {
    const ctx = workflowContext();
    const one = await ctx.waitForSignal<string>(Approvals.first);
    const two = await ctx.waitForSignal<string>('b');
    return `${one.payload}${two.payload}`;
  }
}

describe('step identity across deployments', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function failWithV1(id: string): Promise<string> {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    ran.length = 0;
    gateBroken = true;
    const first = await startEngine({ register: [FlowV1] }, temp.file);
    const handle = await first.engine.startWorkflow(FlowV1, 'flow', [], { id });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    await first.engine.close();
    expect(ran).toEqual(['a', 'b', 'gate']);
    return temp.file;
  }

  it('swapping the order of two differently named steps does not break resume', async () => {
    const file = await failWithV1('det-1');
    const second = await startEngine({ register: [FlowV2] }, file);
    cleanups.push(second.dispose);
    const handle = await second.engine.retry('det-1');
    expect(await handle.result()).toBe('ABG');
    expect(ran).toEqual(['a', 'b', 'gate', 'gate']);
  });

  async function pausedExecution(handle: WorkflowHandle<unknown>): Promise<NonDeterminismError> {
    await eventually(async () => (await handle.status()) === 'paused', 'the workflow to pause');
    const last = (await handle.describe()).executions.at(-1)!;
    expect(last.status).toBe('paused');
    expect(last.error).toBeInstanceOf(NonDeterminismError);
    return last.error as NonDeterminismError;
  }

  it('a different kind at a recorded step id is a NonDeterminismError that pauses the workflow; the fixed code resumes it', async () => {
    const file = await failWithV1('det-2');
    const problems: string[] = [];
    const logger: Logger = { ...silentLogger, error: (_fields: unknown, message?: string) => void problems.push(message ?? '') };
    const second = await startEngine({ register: [FlowV3], logger }, file);
    const pausedEvents: { reason: string; error?: Error }[] = [];
    second.engine.on('workflow.paused', (e) => pausedEvents.push({ reason: e.reason, ...(e.error ? { error: e.error } : {}) }));
    const handle = await second.engine.retry('det-2');
    const cause = await pausedExecution(handle);
    await eventually(() => pausedEvents.length === 1, 'the workflow.paused event');
    expect(pausedEvents[0]!.reason).toBe('non_determinism');
    expect(pausedEvents[0]!.error).toBeInstanceOf(NonDeterminismError);
    expect(cause).toMatchObject({
      code: 'TEMPOLITE_NON_DETERMINISM',
      workflowId: 'det-2',
      stepId: 'det.a#0',
      expected: { kind: 'sideEffect', name: 'det.a' },
      recorded: { kind: 'activity', name: 'det.a' },
    });
    expect(problems).toEqual([expect.stringMatching(/workflow paused: its code no longer matches the steps it recorded/)]);
    expect(ran).toEqual(['a', 'b', 'gate']);
    await second.dispose();
    expect(await checkConsistency(file)).toEqual([]);

    // The fix is deployed: the operator resumes it and it goes on from its checkpoints.
    gateBroken = false;
    const fixed = await startEngine({ register: [FlowV1] }, file);
    cleanups.push(fixed.dispose);
    const resumed = await fixed.engine.getHandle<string>('det-2');
    await resumed.resume();
    expect(await resumed.result()).toBe('ABG');
    expect(ran).toEqual(['a', 'b', 'gate', 'gate']);
    expect((await resumed.describe()).executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['retry', 'paused'],
      ['resume', 'completed'],
    ]);
  });

  it('a body that catches the non-determinism error is paused all the same', async () => {
    const file = await failWithV1('det-3');
    FlowV3.swallow = true;
    const second = await startEngine({ register: [FlowV3] }, file);
    cleanups.push(second.dispose);
    const handle = await second.engine.retry('det-3');
    expect(await pausedExecution(handle)).toBeInstanceOf(NonDeterminismError);
    expect(ran).toEqual(['a', 'b', 'gate']);
    FlowV3.swallow = false;
  });

  it('a compensation whose saga step the new code turned into an activity fails saying so', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const first = await startEngine({ register: [Booking] }, temp.file);
    const handle = await first.engine.startWorkflow(Booking, 'trip', [], { id: 'det-kind' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the signal wait');
    await first.engine.close();
    const second = await startEngine({ register: [BookingV2] }, temp.file);
    cleanups.push(second.dispose);
    const again = await second.engine.getHandle('det-kind');
    await again.cancel();
    await eventually(async () => (await again.status()) === 'compensation_failed', 'the compensation to give up');
    const step = (await again.describe()).steps.find((s) => s.stepId === 'det.hotel#0');
    expect(step?.compensationError?.message).toMatch(/Saga step "det\.hotel" of workflow "det-kind" is registered as an activity in this engine, not as a saga step/);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('a saga workflow whose new code does not match is paused, not compensated', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    Booking.log = [];
    const first = await startEngine({ register: [Booking] }, temp.file);
    const handle = await first.engine.startWorkflow(Booking, 'trip', [], { id: 'det-saga' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the signal wait');
    await first.engine.close();

    const second = await startEngine({ register: [BookingV2] }, temp.file);
    const resumed = await second.engine.getHandle('det-saga');
    await resumed.signal('go');
    expect(await pausedExecution(resumed)).toMatchObject({ stepId: 'det.hotel#0', recorded: { kind: 'saga' }, expected: { kind: 'activity' } });
    expect(Booking.log).toEqual(['hotel']);
    expect((await resumed.describe()).steps.map((step) => [step.stepId, step.status])).toEqual([['det.hotel#0', 'completed']]);
    expect(await checkConsistency(temp.file)).toEqual([]);

    await second.dispose();
    expect(await checkConsistency(temp.file)).toEqual([]);

    // Cancelled under code that has its saga step back, it compensates as any cancel does.
    const fixed = await startEngine({ register: [Booking] }, temp.file);
    cleanups.push(fixed.dispose);
    const again = await fixed.engine.getHandle('det-saga');
    await again.cancel();
    await eventually(async () => (await again.status()) === 'compensated', 'the compensation');
    expect(Booking.log).toEqual(['hotel', 'unbook hotel']);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('a signal wait renamed after it received its signal pauses the workflow, saying that only the recorded wait fits there', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    Approvals.first = 'a';
    const first = await startEngine({ register: [Approvals] }, temp.file);
    const handle = await first.engine.startWorkflow(Approvals, 'run', [], { id: 'det-signal' });
    await handle.signal('a', 'A');
    await eventually(async () => {
      const description = await handle.describe();
      return description.status === 'waiting' && description.signals.some((signal) => signal.consumedBy === 'tempolite.signal#0');
    }, 'the first signal consumed and the second wait');
    await first.engine.close();

    Approvals.first = 'x';
    const second = await startEngine({ register: [Approvals] }, temp.file);
    const renamed = await second.engine.getHandle('det-signal');
    await renamed.signal('b', 'B');
    const error = await pausedExecution(renamed);
    expect(error).toMatchObject({ stepId: 'tempolite.signal#0', expected: { kind: 'signal', name: 'x' }, recorded: { kind: 'signal', name: 'a' } });
    expect(error.message).toContain('A signal wait cannot be given an explicit id: deploy code that waits for "a" at this point again');
    expect(error.message).not.toContain('give the new step an explicit id');
    await second.dispose();

    Approvals.first = 'a';
    const fixed = await startEngine({ register: [Approvals] }, temp.file);
    cleanups.push(fixed.dispose);
    const again = await fixed.engine.getHandle<string>('det-signal');
    await again.resume();
    expect(await again.result()).toBe('AB');
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
