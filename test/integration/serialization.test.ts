import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, ActivityFailure, PayloadTooLargeError, SerializationError, Workflow, WorkflowFailure, rootCause } from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

class Payloads {
  static activityRuns = 0;
  @Activity({ name: 'payloads.echo' }) async echo(value: unknown): Promise<unknown> {
    Payloads.activityRuns += 1;
    return value;
  }
  @Activity({ name: 'payloads.leak', retry: { maxAttempts: 3, initialIntervalMs: 1 } }) async leak(): Promise<unknown> {
    Payloads.activityRuns += 1;
    return { ok: true, handler: () => 'not data' };
  }
  @Workflow({ name: 'payloads.badStepInput' }) async badStepInput(): Promise<unknown> {
    return this.echo({ when: new Date(0), callback: () => 1 });
  }
  @Workflow({ name: 'payloads.badStepOutput' }) async badStepOutput(): Promise<unknown> {
    return this.leak();
  }
  @Workflow({ name: 'payloads.rich' }) async rich(input: { when: Date; big: bigint; tags: Set<string>; byKey: Map<string, number>; none: undefined }): Promise<unknown> {
    return this.echo(input);
  }
}

class LongMessages {
  @Activity({ name: 'longMessages.boom', retry: { maxAttempts: 1 } }) async boom(length: number): Promise<void> {
    throw new Error('x'.repeat(length));
  }
  @Workflow({ name: 'longMessages.run' }) async run(length: number): Promise<void> {
    await this.boom(length);
  }
}

describe('payload serialization', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('round-trips Date, BigInt, Map, Set and undefined through workflow and step payloads', async () => {
    const started = await startEngine({ register: [Payloads] });
    dispose = started.dispose;
    const input = { when: new Date('2026-01-02T03:04:05Z'), big: 2n ** 70n, tags: new Set(['a', 'b']), byKey: new Map([['x', 1]]), none: undefined };
    const handle = await started.engine.startWorkflow(Payloads, 'rich', [input]);
    expect(await handle.result()).toEqual(input);
    const step = (await handle.describe()).steps[0]!;
    expect(step.input).toEqual([input]);
    expect(step.output).toEqual(input);
  });

  it('a workflow input that cannot be encoded is refused at start and nothing is written', async () => {
    const started = await startEngine({ register: [Payloads] });
    dispose = started.dispose;
    const before = await countRows(started.file);
    const error = await started.engine
      .startWorkflow(Payloads, 'rich', [{ when: new Date(), big: 1n, tags: new Set<string>(), byKey: new Map([['f', (() => 1) as unknown as number]]), none: undefined }], { id: 'bad-input' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('$[0].byKey.get("f")');
    expect((error as SerializationError).workflowId).toBe('bad-input');
    expect(await countRows(started.file)).toEqual(before);
  });

  it('a step input that cannot be encoded fails the step before any row is written', async () => {
    const started = await startEngine({ register: [Payloads] });
    dispose = started.dispose;
    Payloads.activityRuns = 0;
    const handle = await started.engine.startWorkflow(Payloads, 'badStepInput', [], { id: 'bad-step-input' });
    const failure = (await handle.result().catch((e: unknown) => e)) as WorkflowFailure;
    expect(failure).toBeInstanceOf(WorkflowFailure);
    const cause = failure.cause as SerializationError;
    expect(cause.name).toBe('SerializationError');
    expect(cause.message).toContain('payloads.echo#0');
    expect(cause.message).toContain('$[0].callback');
    expect(Payloads.activityRuns).toBe(0);
    expect((await countRows(started.file)).tempolite_activity_entity).toBe(0);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('a step output that cannot be encoded fails the step without retrying it', async () => {
    const started = await startEngine({ register: [Payloads] });
    dispose = started.dispose;
    Payloads.activityRuns = 0;
    const handle = await started.engine.startWorkflow(Payloads, 'badStepOutput', []);
    const failure = (await handle.result().catch((e: unknown) => e)) as WorkflowFailure;
    expect(String((failure.cause as Error).cause)).toMatch(/SerializationError.*payloads\.leak#0.*\$\.handler/s);
    expect(Payloads.activityRuns).toBe(1);
    const step = (await handle.describe()).steps[0]!;
    expect(step.status).toBe('failed');
    expect(step.output).toBeUndefined();
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('under a small maxPayloadBytes a failure whose chain does not fit keeps its classes, ids and the start of each message', async () => {
    const started = await startEngine({ register: [LongMessages], maxPayloadBytes: 2000 });
    dispose = started.dispose;
    for (const length of [500, 900, 3000]) {
      const failure = (await (await started.engine.startWorkflow(LongMessages, 'run', [length])).result().catch((e: unknown) => e)) as WorkflowFailure;
      expect(failure, `length ${length}`).toBeInstanceOf(WorkflowFailure);
      const activity = failure.cause as ActivityFailure;
      expect(activity).toBeInstanceOf(ActivityFailure);
      expect(activity).toMatchObject({ stepId: 'longMessages.boom#0', activityName: 'longMessages.boom', attempts: 1 });
      expect(activity.message).not.toContain('undefined');
      const root = rootCause(failure) as Error;
      expect(root, `length ${length}`).not.toBeInstanceOf(ActivityFailure);
      expect(root.message.startsWith('x'.repeat(Math.min(length, 200)))).toBe(true);
    }
    // Not even one short message of the chain fits: the minimal form keeps the failure's own message, not "undefined".
    const tiny = await startEngine({ register: [LongMessages], maxPayloadBytes: 300 });
    try {
      const failure = (await (await tiny.engine.startWorkflow(LongMessages, 'run', [3])).result().catch((e: unknown) => e)) as WorkflowFailure;
      expect(failure.cause).toBeInstanceOf(ActivityFailure);
      expect((failure.cause as Error).message).toContain('failed after 1 attempt(s)');
      expect((failure.cause as Error).message).not.toContain('undefined');
      expect(await checkConsistency(tiny.file)).toEqual([]);
    } finally {
      await tiny.dispose();
    }
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('a payload over maxPayloadBytes is refused with its size and the limit', async () => {
    const started = await startEngine({ register: [Payloads], maxPayloadBytes: 1000 });
    dispose = started.dispose;
    const error = (await started.engine.startWorkflow(Payloads, 'echo' as never, ['x'.repeat(2000)] as never).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('UnknownWorkflowError');
    const tooLarge = (await started.engine
      .startWorkflow(Payloads, 'rich', [{ when: new Date(), big: 1n, tags: new Set(['x'.repeat(2000)]), byKey: new Map(), none: undefined }])
      .catch((e: unknown) => e)) as PayloadTooLargeError;
    expect(tooLarge).toBeInstanceOf(PayloadTooLargeError);
    expect(tooLarge.limit).toBe(1000);
    expect(tooLarge.size).toBeGreaterThan(2000);
    expect((await countRows(started.file)).tempolite_workflow_entity).toBe(0);
  });
});
