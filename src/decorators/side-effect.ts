import { decorateMethod, type AsyncMethod } from './decorate-method.js';

/** Options of `@SideEffect`. */
export interface SideEffectOptions {
  /** Durable name, part of every step id. @default `ClassName.method` */
  name?: string | undefined;
}

/**
 * Marks a method that produces a non-deterministic value (an id, the time, a
 * random number): inside a workflow its first result is recorded and every
 * re-entry gets the same value; it is never run again once recorded.
 */
export function SideEffect(options?: SideEffectOptions) {
  return <T extends AsyncMethod>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> =>
    decorateMethod('sideEffect', 'SideEffect', target, propertyKey, descriptor, options) as TypedPropertyDescriptor<T>;
}
