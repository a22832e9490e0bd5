import type { Duration } from '../engine/duration.js';
import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import { decorateMethod, type AsyncMethod } from './decorate-method.js';

/** Options of `@Activity`. */
export interface ActivityOptions {
  /** Durable name, part of every step id. Keep it stable across deployments. @default `ClassName.method` */
  name?: string | undefined;
  /** Retry policy of each call. @default `{ maxAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2 }` */
  retry?: RetryPolicyOptions | undefined;
  /**
   * Longest one attempt may run (Temporal's start-to-close timeout). When it runs out, the attempt's
   * `AbortSignal` fires and the attempt fails with an `ActivityTimeoutFailure`, retried by `retry`.
   * @default no timeout
   */
  timeout?: Duration | undefined;
}

/**
 * Marks a method as an activity: inside a workflow each call is a durable,
 * retried step whose result is checkpointed; outside a workflow it simply runs.
 */
export function Activity(options?: ActivityOptions) {
  return <T extends AsyncMethod>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> =>
    decorateMethod('activity', 'Activity', target, propertyKey, descriptor, options) as TypedPropertyDescriptor<T>;
}
