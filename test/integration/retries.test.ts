import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, ActivityFailure, InvalidOptionsError, SideEffect, TempoliteError, Workflow, WorkflowFailure, rootCause, workflowContext } from '../../src/index.js';
import { startEngine } from '../helpers/engine.js';

class CardDeclined extends Error {
  override name = 'CardDeclined';
}

class Flaky {
  static failures = 0;
  static calls = 0;
  @Activity({ name: 'flaky.charge', retry: { maxAttempts: 3, initialIntervalMs: 1 } }) async charge(): Promise<string> {
    Flaky.calls += 1;
    if (Flaky.calls <= Flaky.failures) throw new CardDeclined(`declined #${Flaky.calls}`);
    return 'charged';
  }
  @Workflow({ name: 'flaky.three' }) async three(): Promise<string> {
    return this.charge();
  }
  @Workflow({ name: 'flaky.two' }) async two(): Promise<string> {
    return workflowContext().withRetry({ maxAttempts: 2 }).run(() => this.charge());
  }
}

class Steps {
  static ran: string[] = [];
  static bodyFailures = 0;
  static values: string[] = [];
  @SideEffect({ name: 'steps.random' }) async random(): Promise<string> {
    return `r-${Math.random()}`;
  }
  @Activity({ name: 'steps.a' }) async a(): Promise<string> {
    Steps.ran.push('a');
    return 'A';
  }
  @Activity({ name: 'steps.b' }) async b(): Promise<string> {
    Steps.ran.push('b');
    return 'B';
  }
  @Activity({ name: 'steps.c' }) async c(): Promise<string> {
    Steps.ran.push('c');
    return 'C';
  }
  @Workflow({ name: 'steps.flow', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async flow(): Promise<string> {
    const r = await this.random();
    Steps.values.push(r);
    const a = await this.a();
    const b = await this.b();
    if (Steps.bodyFailures > 0) {
      Steps.bodyFailures -= 1;
      throw new Error('body broke after two steps');
    }
    const c = await this.c();
    return `${r}|${a}${b}${c}`;
  }
}

class Manual {
  static ran: string[] = [];
  static broken = true;
  @Activity({ name: 'manual.a' }) async a(): Promise<string> {
    Manual.ran.push('a');
    return 'A';
  }
  @Activity({ name: 'manual.b' }) async b(): Promise<string> {
    Manual.ran.push('b');
    return 'B';
  }
  @Activity({ name: 'manual.c', retry: { maxAttempts: 1 } }) async c(): Promise<string> {
    Manual.ran.push('c');
    if (Manual.broken) throw new Error('c is broken');
    return 'C';
  }
  @Workflow({ name: 'manual.flow' }) async flow(): Promise<string> {
    return (await this.a()) + (await this.b()) + (await this.c());
  }
}

class Fatal extends Error {
  override name = 'Fatal';
}

class Stubborn {
  static activityRuns = 0;
  static bodyRuns = 0;
  /** Retried up to five times, but not for a Fatal. */
  @Activity({ name: 'stubborn.act', retry: { maxAttempts: 5, initialIntervalMs: 1, nonRetryableErrors: ['Fatal'] } }) async act(fatal: boolean): Promise<string> {
    Stubborn.activityRuns += 1;
    throw fatal ? new Fatal('for good') : new Error('maybe later');
  }
  /** One attempt of its activity; the body itself is retried up to three times, but not for a Fatal anywhere in the cause chain. */
  @Activity({ name: 'stubborn.once', retry: { maxAttempts: 1 } }) async once(): Promise<string> {
    Stubborn.activityRuns += 1;
    throw new Fatal('for good');
  }
  @Workflow({ name: 'stubborn.flow' }) async flow(fatal: boolean): Promise<string> {
    return this.act(fatal);
  }
  @Workflow({ name: 'stubborn.body', retry: { maxAttempts: 3, initialIntervalMs: 1, nonRetryableErrors: ['Fatal'] } }) async body(): Promise<string> {
    Stubborn.bodyRuns += 1;
    return this.once();
  }
}

describe('retries', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('nonRetryableErrors: an activity error of a listed name is not retried; another is, up to maxAttempts', async () => {
    const started = await startEngine({ register: [Stubborn] });
    dispose = started.dispose;
    Stubborn.activityRuns = 0;
    await expect((await started.engine.startWorkflow(Stubborn, 'flow', [true])).result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(Stubborn.activityRuns).toBe(1);
    Stubborn.activityRuns = 0;
    await expect((await started.engine.startWorkflow(Stubborn, 'flow', [false])).result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(Stubborn.activityRuns).toBe(5);
  });

  it("a workflow's nonRetryableErrors match the cause chain: a body failing with an ActivityFailure caused by a Fatal is not retried", async () => {
    const started = await startEngine({ register: [Stubborn] });
    dispose = started.dispose;
    Stubborn.activityRuns = 0;
    Stubborn.bodyRuns = 0;
    const handle = await started.engine.startWorkflow(Stubborn, 'body', []);
    const error = await handle.result().catch((e: unknown) => e);
    expect((error as WorkflowFailure).cause).toBeInstanceOf(ActivityFailure);
    expect(rootCause(error)).toMatchObject({ name: 'Fatal', message: 'for good' });
    expect([Stubborn.bodyRuns, Stubborn.activityRuns]).toEqual([1, 1]);
    expect((await handle.describe()).executions.map((x) => x.status)).toEqual(['failed']);
  });

  it('an activity failing twice then succeeding under maxAttempts 3 leaves three executions and completes', async () => {
    Flaky.failures = 2;
    Flaky.calls = 0;
    const { engine, dispose: d } = await startEngine({ register: [Flaky] });
    dispose = d;
    const handle = await engine.startWorkflow(Flaky, 'three', []);
    expect(await handle.result()).toBe('charged');
    const step = (await handle.describe()).steps[0]!;
    expect(step.executions.map((e) => [e.attempt, e.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'completed'],
    ]);
    expect(step.executions[0]!.error).toMatchObject({ name: 'CardDeclined', message: 'declined #1' });
    expect(await handle.status()).toBe('completed');
  });

  it('with maxAttempts 2 the workflow fails with the activity error name and message', async () => {
    Flaky.failures = 2;
    Flaky.calls = 0;
    const { engine, dispose: d } = await startEngine({ register: [Flaky] });
    dispose = d;
    const handle = await engine.startWorkflow(Flaky, 'two', [], { id: 'two-attempts' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    const failure = error as WorkflowFailure;
    expect(failure.workflowId).toBe('two-attempts');
    expect(failure.cause).toBeInstanceOf(ActivityFailure);
    expect((failure.cause as ActivityFailure).stepId).toBe('flaky.charge#0');
    expect((failure.cause as ActivityFailure).attempts).toBe(2);
    expect(rootCause(failure)).toMatchObject({ name: 'CardDeclined', message: 'declined #2' });
    const d2 = await handle.describe();
    expect(d2.status).toBe('failed');
    expect(d2.steps[0]!.executions).toHaveLength(2);
    expect(Flaky.calls).toBe(2);
  });

  it('a body that throws after two completed steps is retried without running them again; the side effect keeps its value', async () => {
    Steps.ran = [];
    Steps.values = [];
    Steps.bodyFailures = 1;
    const { engine, dispose: d } = await startEngine({ register: [Steps] });
    dispose = d;
    const handle = await engine.startWorkflow(Steps, 'flow', []);
    const result = await handle.result();
    expect(Steps.ran).toEqual(['a', 'b', 'c']);
    expect(Steps.values).toHaveLength(2);
    expect(Steps.values[0]).toBe(Steps.values[1]);
    expect(result).toBe(`${Steps.values[0]}|ABC`);
    const description = await handle.describe();
    expect(description.executions.map((e) => [e.number, e.reason, e.status])).toEqual([
      [1, 'start', 'failed'],
      [2, 'retry', 'completed'],
    ]);
  });

  it('engine.retry() re-runs a failed workflow from its failed step', async () => {
    Manual.ran = [];
    Manual.broken = true;
    const { engine, dispose: d } = await startEngine({ register: [Manual] });
    dispose = d;
    const handle = await engine.startWorkflow(Manual, 'flow', [], { id: 'retry-me' });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    expect(Manual.ran).toEqual(['a', 'b', 'c']);
    expect((await engine.list({ status: 'failed' })).map((w) => w.workflowId)).toEqual(['retry-me']);

    Manual.broken = false;
    const again = await engine.retry('retry-me');
    expect(await again.result()).toBe('ABC');
    expect(Manual.ran).toEqual(['a', 'b', 'c', 'c']);
    const description = await again.describe();
    expect(description.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'failed'],
      ['retry', 'completed'],
    ]);
    expect(description.steps.find((s) => s.name === 'manual.c')!.executions.map((e) => e.status)).toEqual(['failed', 'completed']);
    await expect(engine.retry('retry-me')).rejects.toMatchObject({ code: 'TEMPOLITE_INVALID_STATE', status: 'completed' });
    await expect(engine.retry('nope')).rejects.toMatchObject({ code: 'TEMPOLITE_WORKFLOW_NOT_FOUND' });
  });
});

class Misuse {
  @Workflow({ name: 'misuse.sleep' }) async badSleep(): Promise<void> {
    await workflowContext().sleep('soon' as never);
  }
  @Activity({ name: 'misuse.impostor', retry: { maxAttempts: 1 } }) async impostor(): Promise<void> {
    // An application error that happens to share a Tempolite error's name: it must stay the application's.
    throw Object.assign(new Error('own storage problem'), { name: 'StorageError', code: 'APP_STORAGE' });
  }
  @Workflow({ name: 'misuse.impostorFlow' }) async impostorFlow(): Promise<void> {
    await this.impostor();
  }
}

describe('causes read back from the database', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a Tempolite error thrown in a body is an instance of its class, with its fields; a look-alike stays a plain Error', async () => {
    const { engine, dispose } = await startEngine({ register: [Misuse] });
    cleanups.push(dispose);
    const failure = (await (await engine.startWorkflow(Misuse, 'badSleep', [])).result().catch((e: unknown) => e)) as WorkflowFailure;
    expect(failure).toBeInstanceOf(WorkflowFailure);
    const cause = failure.cause;
    expect(cause).toBeInstanceOf(InvalidOptionsError);
    expect(cause).toBeInstanceOf(TempoliteError);
    expect(cause).toMatchObject({ code: 'TEMPOLITE_INVALID_OPTIONS', path: 'duration' });
    expect(rootCause(failure)).toBe(cause);

    const impostor = (await (await engine.startWorkflow(Misuse, 'impostorFlow', [])).result().catch((e: unknown) => e)) as WorkflowFailure;
    const own = rootCause(impostor) as Error & { code?: string };
    expect(own).not.toBeInstanceOf(TempoliteError);
    expect(own).toMatchObject({ name: 'StorageError', code: 'APP_STORAGE', message: 'own storage problem' });
  });
});
