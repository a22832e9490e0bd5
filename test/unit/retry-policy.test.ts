import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/index.js';
import { DEFAULT_ACTIVITY_RETRY, resolveRetryPolicy, retryDelayMs } from '../../src/engine/retry-policy.js';
import { MAX_WAIT_MS } from '../../src/engine/duration.js';

describe('retry policies', () => {
  it('over the defaults, an initial interval without a cap caps at 100 times it', () => {
    const policy = resolveRetryPolicy({ initialIntervalMs: 2000 }, DEFAULT_ACTIVITY_RETRY, '@Activity on T.a');
    expect(policy).toMatchObject({ maxAttempts: 3, initialIntervalMs: 2000, maxIntervalMs: 200_000 });
  });

  it("withRetry over a step's policy keeps the fields it omits, the step's cap included", () => {
    const step = resolveRetryPolicy({ maxAttempts: 4, initialIntervalMs: 1000, maxIntervalMs: 3000 }, DEFAULT_ACTIVITY_RETRY, '@Activity on T.capped');
    const call = resolveRetryPolicy({ initialIntervalMs: 2000 }, step, 'workflowContext().withRetry()', 'step');
    expect(call).toMatchObject({ maxAttempts: 4, initialIntervalMs: 2000, maxIntervalMs: 3000 });
    expect([1, 2, 3].map((failures) => retryDelayMs(call, failures))).toEqual([2000, 3000, 3000]);
    // An initial interval over the step's cap is refused, as it is when both are given.
    const over = (): unknown => resolveRetryPolicy({ initialIntervalMs: 5000 }, step, 'workflowContext().withRetry()', 'step');
    expect(over).toThrow(InvalidOptionsError);
    expect(over).toThrow(/at most the step's maxIntervalMs \(3000\), got 5000/);
    expect(resolveRetryPolicy({ initialIntervalMs: 5000, maxIntervalMs: 20_000 }, step, 'workflowContext().withRetry()', 'step')).toMatchObject({ initialIntervalMs: 5000, maxIntervalMs: 20_000 });
  });

  it('refuses intervals past the longest wait, so a retry time stays a valid Date; a large initial interval caps its default at it', () => {
    expect(() => resolveRetryPolicy({ initialIntervalMs: Number.MAX_SAFE_INTEGER }, DEFAULT_ACTIVITY_RETRY, '@Activity on T.a')).toThrow(InvalidOptionsError);
    expect(() => resolveRetryPolicy({ maxIntervalMs: 1e300 }, DEFAULT_ACTIVITY_RETRY, '@Activity on T.a')).toThrow(InvalidOptionsError);
    expect(resolveRetryPolicy({ initialIntervalMs: MAX_WAIT_MS }, DEFAULT_ACTIVITY_RETRY, '@Activity on T.a').maxIntervalMs).toBe(MAX_WAIT_MS);
  });
});
