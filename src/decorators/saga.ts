import type { Duration } from '../engine/duration.js';
import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import { decorateMethod, type AsyncMethod } from './decorate-method.js';

/** Options of `@Saga`. */
export interface SagaOptions {
  /**
   * Name of the method of the same class that undoes this step. It receives the
   * step's arguments followed by its result, and must not be decorated itself.
   */
  compensate: string;
  /** Durable name of the step. @default `ClassName.method` */
  name?: string | undefined;
  /** Retry policy of the transaction. @default as `@Activity` */
  retry?: RetryPolicyOptions | undefined;
  /** Longest one attempt of the transaction may run, as `@Activity`'s `timeout`. @default no timeout */
  timeout?: Duration | undefined;
  /** Retry policy of the compensation. @default `{ maxAttempts: 5 }` with the activity backoff */
  compensationRetry?: RetryPolicyOptions | undefined;
}

/**
 * Marks a method as a saga step: a durable, retried step whose compensation
 * runs if the workflow later fails terminally or is cancelled.
 */
export function Saga(options: SagaOptions) {
  return <T extends AsyncMethod>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> =>
    decorateMethod('saga', 'Saga', target, propertyKey, descriptor, options) as TypedPropertyDescriptor<T>;
}
