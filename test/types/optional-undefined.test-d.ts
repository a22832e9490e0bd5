import { describe, expectTypeOf, it } from 'vitest';
import {
  Activity,
  SerializationError,
  Saga,
  SideEffect,
  SuperJsonCodec,
  Tempolite,
  Workflow,
  registerActivity,
  registerSaga,
  registerWorkflow,
  workflowContext,
  type ActivityOptions,
  type ChildOptions,
  type CloseOptions,
  type DetachedOptions,
  type Duration,
  type ListOptions,
  type PayloadCodec,
  type PayloadClass,
  type PruneOptions,
  type QueueOptions,
  type ReceivedSignal,
  type RegisterSagaOptions,
  type RetryPolicyOptions,
  type SagaOptions,
  type ScheduleOptions,
  type SideEffectOptions,
  type SignalResult,
  type StartOptions,
  type SuperJsonCodecOptions,
  type TempoliteOptions,
  type WaitForSignalOptions,
  type WorkflowHandle,
  type WorkflowOptions,
  type WorkflowStatus,
} from '../../src/index.js';
import { TempoliteModule, type TempoliteModuleAsyncOptions, type TempoliteModuleOptions } from '../../src/nestjs/index.js';

/**
 * "Leave an option out, or give it as `undefined`, for its default" (README): every optional property of
 * an options type takes `undefined`, also for users who compile with `exactOptionalPropertyTypes: true`.
 * Type-level only, like start-workflow.test-d.ts. Under the repo's tsconfig (exactOptionalPropertyTypes
 * off) it holds trivially; test/unit/optional-undefined.test.ts compiles it again with
 * test/types/tsconfig.exact.json, where each option below without `| undefined` is an error.
 */

declare const str: string | undefined;
declare const num: number | undefined;
declare const bool: boolean | undefined;
declare const duration: Duration | undefined;
declare const retry: RetryPolicyOptions | undefined;
declare const engine: Tempolite;

describe('engine options', () => {
  it('new Tempolite() takes undefined for every option', () => {
    void new Tempolite({ database: process.env['DB'] });
    const queue: QueueOptions = { concurrency: num, workerConcurrency: num, rateLimit: undefined };
    const options: TempoliteOptions = {
      database: str,
      dataSource: undefined,
      durability: undefined,
      busyTimeoutMs: num,
      queues: { default: queue, reports: { concurrency: undefined } },
      register: undefined,
      container: undefined,
      codec: undefined,
      maxPayloadBytes: num,
      leaseMs: num,
      pollIntervalMs: num,
      suspendAfterMs: num,
      closeTimeoutMs: num,
      clock: undefined,
      logger: undefined,
      workerId: str,
      workers: bool,
      migrate: bool,
    };
    void new Tempolite(options);
    // @ts-expect-error null is a value, not an option left out
    void new Tempolite({ database: null });
  });

  it('close() takes an undefined timeout', async () => {
    await engine.close({ timeout: undefined });
    const options: CloseOptions = { timeout: duration };
    await engine.close(options);
  });
});

describe('client calls', () => {
  class Orders {
    @Workflow() async place(id: string): Promise<string> {
      return id;
    }
  }

  it('startWorkflow() takes undefined start options', async () => {
    const maybeId = process.env['ORDER_ID'];
    void engine.startWorkflow(Orders, 'place', ['o-1'], { id: maybeId });
    const options: StartOptions = { id: str, queue: str, priority: num, timeout: duration };
    expectTypeOf(await engine.startWorkflow(Orders, 'place', ['o-1'], options)).toEqualTypeOf<WorkflowHandle<string>>();
  });

  it('list() and prune() take undefined filters; prune() still needs its age', async () => {
    await engine.list({ status: undefined });
    const filters: ListOptions = { status: undefined as WorkflowStatus | undefined, name: str, queue: str, limit: num, offset: num };
    await engine.list(filters);
    const prune: PruneOptions = { olderThan: '30d', status: undefined };
    await engine.prune(prune);
    // @ts-expect-error olderThan is required: nothing is deleted without an age
    await engine.prune({ olderThan: undefined });
    await engine.prune({ olderThan: '1d', status: ['failed', 'compensation_failed'] });
    // @ts-expect-error only finished statuses: a running workflow is never pruned
    await engine.prune({ olderThan: '1d', status: 'running' });
  });
});

describe('decorators and their twins', () => {
  it('@Workflow, @Activity, @SideEffect and @Saga take undefined options', () => {
    const workflowOptions: WorkflowOptions = { name: str, retry, queue: str, schedule: undefined };
    const activityOptions: ActivityOptions = { name: str, retry, timeout: duration };
    const sideEffectOptions: SideEffectOptions = { name: str };
    const sagaOptions: SagaOptions = { compensate: 'refund', name: str, retry, timeout: duration, compensationRetry: retry };
    class Shop {
      @Workflow({ queue: process.env['Q'] }) async checkout(): Promise<void> {}
      @Workflow(workflowOptions) async other(): Promise<void> {}
      @Activity({ timeout: '5s' as Duration | undefined }) async charge(): Promise<string> {
        return 'ch-1';
      }
      @Activity(activityOptions) async ship(): Promise<void> {}
      @SideEffect(sideEffectOptions) async now(): Promise<number> {
        return 0;
      }
      @Saga(sagaOptions) async reserve(): Promise<string> {
        return 'r-1';
      }
      async refund(): Promise<void> {}
    }
    expectTypeOf(Shop).toBeConstructibleWith();
    // @ts-expect-error a saga step needs its compensation
    const _noCompensation: SagaOptions = { compensate: undefined };
  });

  it('retry policies and schedules take undefined fields', () => {
    const policy: RetryPolicyOptions = { maxAttempts: num, initialIntervalMs: num, backoffCoefficient: num, maxIntervalMs: num, nonRetryableErrors: undefined };
    const schedule: ScheduleOptions = { cron: '0 6 * * *', timezone: str };
    class Reports {
      @Workflow({ schedule, retry: policy }) async daily(scheduledAt: Date): Promise<string> {
        return scheduledAt.toISOString();
      }
    }
    expectTypeOf(Reports).toBeConstructibleWith();
    // @ts-expect-error the cron pattern is required
    const _noCron: ScheduleOptions = { cron: undefined };
  });

  it('registerWorkflow, registerActivity and registerSaga take undefined options', () => {
    registerWorkflow('types.undefined.workflow', async () => 1, { retry, queue: str, schedule: undefined });
    registerActivity('types.undefined.activity', async () => 1, { retry, timeout: duration });
    const sagaOptions: RegisterSagaOptions = { retry, timeout: duration, compensationRetry: retry };
    registerSaga('types.undefined.saga', { run: async (n: number) => n, compensate: async () => undefined }, sagaOptions);
  });
});

describe('workflow context', () => {
  it('child(), startWorkflow() and waitForSignal() take undefined options', () => {
    class Parent {
      @Workflow() async step(): Promise<number> {
        return 1;
      }
      @Workflow() async run(t: Duration | undefined): Promise<void> {
        const ctx = workflowContext();
        const child: ChildOptions = { id: str, queue: str };
        await ctx.child(Parent, 'step', [], child);
        await ctx.child(Parent, 'step', [], { id: undefined });
        const detached: DetachedOptions = { id: str, queue: str, priority: num, timeout: t };
        await ctx.startWorkflow(Parent, 'step', [], detached);
        expectTypeOf(await ctx.waitForSignal('x', { timeout: t })).toEqualTypeOf<SignalResult<unknown>>();
        // An undefined timeout is no timeout: the overload without one.
        expectTypeOf(await ctx.waitForSignal('x', { timeout: undefined })).toEqualTypeOf<ReceivedSignal<unknown>>();
        const wait: WaitForSignalOptions = { timeout: t };
        expectTypeOf(await ctx.waitForSignal<string>(['a', 'b'], wait)).toEqualTypeOf<SignalResult<string>>();
        await ctx.withRetry({ maxAttempts: num, initialIntervalMs: undefined }).run(() => this.step());
      }
    }
    expectTypeOf(Parent).toBeConstructibleWith();
  });
});

describe('codecs and errors', () => {
  it('SuperJsonCodec and a wrapping codec take undefined classes', () => {
    const options: SuperJsonCodecOptions = { classes: undefined };
    const inner = new SuperJsonCodec(options);
    const wrapped: PayloadCodec = { encode: (v) => inner.encode(v), decode: (t) => inner.decode(t), classes: undefined as ReadonlyArray<PayloadClass> | undefined };
    void new Tempolite({ codec: wrapped });
    void new SerializationError('input', '$', 'reason', undefined, undefined, { cause: undefined, decoding: bool });
  });
});

describe('TempoliteModule (tempolite/nestjs)', () => {
  it('forRoot() and forRootAsync() take undefined options', () => {
    TempoliteModule.forRoot({ database: process.env['DB'] });
    const options: TempoliteModuleOptions = { database: str, isGlobal: bool, workers: bool, leaseMs: num };
    TempoliteModule.forRoot(options);
    const async: TempoliteModuleAsyncOptions = {
      imports: undefined,
      inject: undefined,
      isGlobal: bool,
      useFactory: () => ({ database: str, durability: undefined }),
    };
    TempoliteModule.forRootAsync(async);
  });
});
