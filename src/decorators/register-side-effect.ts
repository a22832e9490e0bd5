import { registerFunction, type RegisteredFunction } from './register-function.js';

/** Decorator-free twin of `@SideEffect`: registers a function whose first result is recorded. */
export function registerSideEffect<A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>): RegisteredFunction<A, R> {
  return registerFunction('sideEffect', 'registerSideEffect', name, fn, undefined);
}
