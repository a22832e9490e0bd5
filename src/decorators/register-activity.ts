import type { ActivityOptions } from './activity.js';
import { registerFunction, type RegisteredFunction } from './register-function.js';

/** Decorator-free twin of `@Activity`: registers a plain async function as an activity. */
export function registerActivity<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  options?: Omit<ActivityOptions, 'name'>,
): RegisteredFunction<A, R> {
  return registerFunction('activity', 'registerActivity', name, fn, options);
}
