import type { Duration } from '../engine/duration.js';
import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import { registerFunction, type RegisteredFunction } from './register-function.js';

/** A saga step defined from functions, for `registerSaga`. */
export interface SagaFunctions<A extends unknown[], R> {
  /** The transaction. */
  run: (...args: A) => Promise<R>;
  /** Undoes the transaction; receives its arguments followed by its result. */
  compensate: (...argsAndResult: [...A, R]) => Promise<unknown>;
}

/** Options of `registerSaga`. */
export interface RegisterSagaOptions {
  /** Retry policy of the transaction. @default as `@Activity` */
  retry?: RetryPolicyOptions | undefined;
  /** Longest one attempt of the transaction may run, as `@Activity`'s `timeout`. @default no timeout */
  timeout?: Duration | undefined;
  /** Retry policy of the compensation. @default `{ maxAttempts: 5 }` */
  compensationRetry?: RetryPolicyOptions | undefined;
}

/** Decorator-free twin of `@Saga`: registers a transaction and its compensation under a durable name. */
export function registerSaga<A extends unknown[], R>(name: string, steps: SagaFunctions<A, R>, options?: RegisterSagaOptions): RegisteredFunction<A, R> {
  const compensate = steps?.compensate;
  return registerFunction('saga', 'registerSaga', name, steps?.run, { ...options, compensateFn: compensate });
}
