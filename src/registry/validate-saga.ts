import { MissingCompensationError, describeCause } from '../errors.js';
import type { Compensation } from './definitions.js';
import type { AnyFunction, Constructor, Registration } from './registration.js';

/** Decorated methods of the included classes: class → method → registration. */
export type DecoratedMethods = ReadonlyMap<Constructor, ReadonlyMap<string, Registration>>;

/** Checks that a saga's compensation exists and is a plain (undecorated) function or method. */
export function validateSaga(registration: Registration, decorated: DecoratedMethods): Compensation {
  const options = registration.options as { compensate?: unknown; compensateFn?: unknown };
  if (registration.source === 'function') {
    if (typeof options.compensateFn !== 'function') {
      throw new MissingCompensationError('(function)', registration.name, 'compensate', `it is ${typeof options.compensateFn}, not a function`, `registerSaga("${registration.name}") takes { run, compensate }`);
    }
    return { fn: options.compensateFn as AnyFunction };
  }
  const { target, method } = registration;
  const compensate = options.compensate;
  if (typeof compensate !== 'string' || compensate.length === 0) {
    const subject = compensate === undefined ? `@Saga on ${target.name}.${method} has no compensate option` : undefined;
    throw new MissingCompensationError(target.name, method, describeCause(compensate), 'compensate must be the name of a method of the same class', subject);
  }
  if (compensate === method) throw new MissingCompensationError(target.name, method, compensate, 'a step cannot compensate itself');
  if (typeof (target.prototype as Record<string, unknown>)[compensate] !== 'function') {
    throw new MissingCompensationError(target.name, method, compensate, `${target.name} has no method "${compensate}"`);
  }
  const clash = decorated.get(target)?.get(compensate);
  if (clash) {
    throw new MissingCompensationError(target.name, method, compensate, `"${compensate}" is itself decorated (@${clash.kind}); a compensation must be a plain method`);
  }
  return { method: compensate };
}
