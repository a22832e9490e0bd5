import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SuperJsonCodec, StepOptionsBuilder } from '../../src/index.js';
import { TempoliteModule } from '../../src/nestjs/index.js';
import type { StepCallOptions } from '../../src/context/ambient.js';
import { checkPruneOptions } from '../../src/client/prune-options.js';
import { checkStartOptions } from '../../src/client/validate-start-options.js';
import { closeTimeoutMs } from '../../src/engine/close-options.js';
import { resolveOptions } from '../../src/engine/engine-options.js';
import { DEFAULT_ACTIVITY_RETRY, resolveRetryPolicy } from '../../src/engine/retry-policy.js';
import { parseSchedule } from '../../src/engine/schedule/cron-schedule.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** "Leave an option out, or give it as `undefined`, for its default" (README), in the types and at run time. */
describe('an option given as undefined is an option left out', () => {
  it('compiles for users with exactOptionalPropertyTypes (test/types/optional-undefined.test-d.ts)', () => {
    const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/types/tsconfig.exact.json'], { cwd: root, encoding: 'utf8' });
    expect(tsc.error).toBeUndefined();
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('engine options', () => {
    const keys = ['database', 'dataSource', 'durability', 'busyTimeoutMs', 'queues', 'register', 'container', 'codec', 'maxPayloadBytes', 'leaseMs', 'pollIntervalMs', 'suspendAfterMs', 'closeTimeoutMs', 'clock', 'logger', 'workerId', 'workers', 'migrate'];
    expect(resolveOptions(Object.fromEntries(keys.map((key) => [key, undefined])))).toStrictEqual(resolveOptions({}));
    expect(resolveOptions({ queues: { a: { concurrency: undefined, workerConcurrency: undefined, rateLimit: undefined } } })).toStrictEqual(resolveOptions({ queues: { a: {} } }));
  });

  it('start, close and prune options', () => {
    expect(checkStartOptions({ id: undefined, queue: undefined, priority: undefined, timeout: undefined }, 'startWorkflow()')).toStrictEqual(checkStartOptions({}, 'startWorkflow()'));
    expect(closeTimeoutMs({ timeout: undefined })).toBeUndefined();
    expect(checkPruneOptions({ olderThan: '1d', status: undefined })).toStrictEqual(checkPruneOptions({ olderThan: '1d' }));
  });

  it('retry policies and schedules', () => {
    const policy = { maxAttempts: undefined, initialIntervalMs: undefined, backoffCoefficient: undefined, maxIntervalMs: undefined, nonRetryableErrors: undefined };
    expect(resolveRetryPolicy(policy, DEFAULT_ACTIVITY_RETRY, '@Activity on T.a')).toStrictEqual(DEFAULT_ACTIVITY_RETRY);
    expect(parseSchedule({ cron: '0 6 * * *', timezone: undefined }, '@Workflow on T.a').timezone).toBe('UTC');
  });

  it("a chained withRetry's undefined field keeps the earlier call's value", () => {
    const builder = new StepOptionsBuilder({}).withRetry({ maxAttempts: 5 }).withRetry({ maxAttempts: undefined, initialIntervalMs: 10 });
    expect((builder as unknown as { options: StepCallOptions }).options.retry).toStrictEqual({ maxAttempts: 5, initialIntervalMs: 10 });
  });

  it('codec and module options', () => {
    expect(new SuperJsonCodec({ classes: undefined }).classes).toEqual([]);
    // `container` is not a module option, but a spread-in `container: undefined` is one left out, not one given.
    expect(() => TempoliteModule.forRoot({ database: ':memory:', isGlobal: undefined, container: undefined } as never)).not.toThrow();
    expect(TempoliteModule.forRoot({ isGlobal: undefined }).global).toBe(true);
  });
});
