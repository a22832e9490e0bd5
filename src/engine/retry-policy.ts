import { InvalidOptionsError, describeCause } from '../errors.js';
import { MAX_WAIT_MS } from './duration.js';

/** How a workflow, activity or saga step is retried after it throws. */
export interface RetryPolicyOptions {
  /** Attempts in all, the first one included. `1` means no retry. */
  maxAttempts?: number | undefined;
  /** Wait before the second attempt, in milliseconds. @default 1000 */
  initialIntervalMs?: number | undefined;
  /** Each wait is the previous one times this. `1` keeps the wait constant. @default 2 */
  backoffCoefficient?: number | undefined;
  /** Upper bound of any wait, in milliseconds. @default 100 × initialIntervalMs */
  maxIntervalMs?: number | undefined;
  /** Error names (`error.name`) that are never retried. @default [] */
  nonRetryableErrors?: readonly string[] | undefined;
}

/** A validated retry policy with every field set. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly backoffCoefficient: number;
  readonly maxIntervalMs: number;
  readonly nonRetryableErrors: readonly string[];
}

/** Workflows are not retried unless asked: a failing body usually needs a code fix. */
export const DEFAULT_WORKFLOW_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 1,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maxIntervalMs: 100_000,
  nonRetryableErrors: Object.freeze([]),
});

/** Activities talk to the outside world, where transient failures are the norm. */
export const DEFAULT_ACTIVITY_RETRY: RetryPolicy = Object.freeze({ ...DEFAULT_WORKFLOW_RETRY, maxAttempts: 3 });

const KNOWN_KEYS = new Set(['maxAttempts', 'initialIntervalMs', 'backoffCoefficient', 'maxIntervalMs', 'nonRetryableErrors']);

/**
 * Validates `options` and fills the gaps from `base`.
 * @param subject named in errors, e.g. `@Activity on OrderService.charge`
 * @param over `defaults`: `base` is a default policy, so a given `initialIntervalMs` without a
 *   `maxIntervalMs` caps at 100 times it (as Temporal's default); `step`: `base` is a step's own
 *   policy (`withRetry`), whose `maxIntervalMs` an omitted one keeps
 */
export function resolveRetryPolicy(options: unknown, base: RetryPolicy, subject: string, over: 'defaults' | 'step' = 'defaults'): RetryPolicy {
  if (options === undefined) return base;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionsError(subject, 'retry', 'must be an object');
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_KEYS.has(key)) throw new InvalidOptionsError(subject, `retry.${key}`, `unknown option; known: ${[...KNOWN_KEYS].join(', ')}`);
  }
  const maxAttempts = optionalNumber(record, 'maxAttempts', subject, base.maxAttempts, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
  // A backoff is added to the clock's time: bounded as any wait is, so the retry time stays a valid Date.
  const initialIntervalMs = optionalNumber(record, 'initialIntervalMs', subject, base.initialIntervalMs, (n) => n >= 0 && n <= MAX_WAIT_MS, `a number ≥ 0 and ≤ ${MAX_WAIT_MS}`);
  const backoffCoefficient = optionalNumber(record, 'backoffCoefficient', subject, base.backoffCoefficient, (n) => n >= 1, 'a number ≥ 1');
  const defaultMax = record.initialIntervalMs === undefined || over === 'step' ? base.maxIntervalMs : Math.min(initialIntervalMs * 100, MAX_WAIT_MS);
  const maxIntervalMs = optionalNumber(record, 'maxIntervalMs', subject, defaultMax, (n) => n >= initialIntervalMs && n <= MAX_WAIT_MS, `a number ≥ initialIntervalMs (${initialIntervalMs}) and ≤ ${MAX_WAIT_MS}`);
  if (maxIntervalMs < initialIntervalMs) {
    throw new InvalidOptionsError(subject, 'retry.initialIntervalMs', `must be at most the step's maxIntervalMs (${maxIntervalMs}), got ${initialIntervalMs}; give a maxIntervalMs too`);
  }
  const names = record.nonRetryableErrors;
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))) {
    throw new InvalidOptionsError(subject, 'retry.nonRetryableErrors', 'must be an array of error names (strings)');
  }
  return Object.freeze({
    maxAttempts,
    initialIntervalMs,
    backoffCoefficient,
    maxIntervalMs,
    nonRetryableErrors: Object.freeze([...((names as string[] | undefined) ?? base.nonRetryableErrors)]),
  });
}

function optionalNumber(
  record: Record<string, unknown>,
  key: string,
  subject: string,
  fallback: number,
  valid: (n: number) => boolean,
  expectation: string,
): number {
  const value = record[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) {
    throw new InvalidOptionsError(subject, `retry.${key}`, `must be ${expectation}, got ${describeCause(value)}`);
  }
  return value;
}

/** The wait after the `failedAttempts`-th failure (1-based), in milliseconds. */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number): number {
  const raw = policy.initialIntervalMs * policy.backoffCoefficient ** Math.max(0, failedAttempts - 1);
  return Math.min(raw, policy.maxIntervalMs);
}

/**
 * Whether another attempt is allowed after `failedAttempts` failures ending with `error`. A non-retryable name
 * matches the error or any error in its `cause` chain: a body that failed with an `ActivityFailure` caused by a
 * `Fatal` is not retried under `nonRetryableErrors: ['Fatal']`, as Temporal matches a failure's cause type.
 */
export function shouldRetry(policy: RetryPolicy, failedAttempts: number, error: unknown): boolean {
  if (failedAttempts >= policy.maxAttempts) return false;
  if (policy.nonRetryableErrors.length === 0) return true;
  const seen = new Set<unknown>();
  for (let current: unknown = error; current instanceof Error && !seen.has(current); current = current.cause) {
    if (policy.nonRetryableErrors.includes(current.name)) return false;
    seen.add(current);
  }
  return true;
}
