import type { Constructor } from '../registry/registration.js';

/** Names of the methods of `T` that return a promise (the ones that can be workflows). */
export type AsyncMethodNames<T> = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches any argument list
  [K in keyof T]: T[K] extends (...args: any[]) => Promise<unknown> ? K : never;
}[keyof T] &
  string;

/** Argument tuple of method `K` of `T`. */
export type MethodArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => unknown ? A : never;

/** Resolved return type of method `K` of `T`. */
export type MethodResult<T, K extends keyof T> = T[K] extends (...args: never[]) => Promise<infer R> ? R : never;

/** Instance type of a workflow class. */
export type InstanceOf<C extends Constructor> = InstanceType<C>;
