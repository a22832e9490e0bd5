import { InvalidOptionsError, describeCause } from '../errors.js';
import { callerLocation, record } from '../registry/metadata-storage.js';
import type { FunctionRegistration, RegistrationKind } from '../registry/registration.js';
import { dispatch } from './dispatch.js';

/** Where a registered function keeps its registration. */
export const REGISTRATION = Symbol.for('tempolite.registration');

/** A function registered with one of the decorator-free twins; call it like the original. */
export type RegisteredFunction<A extends unknown[], R> = ((...args: A) => Promise<R>) & {
  /** The durable name it was registered under. */
  readonly durableName: string;
  /** What `register` reads: the registration this function was made with. */
  readonly [REGISTRATION]: FunctionRegistration;
};

/** Shared body of the twins: records the registration and returns a dispatching function. */
export function registerFunction<A extends unknown[], R>(
  kind: RegistrationKind,
  twinName: string,
  name: string,
  fn: (...args: A) => Promise<R>,
  options: unknown,
): RegisteredFunction<A, R> {
  const subject = `${twinName}("${describeCause(name)}")`;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidOptionsError(subject, 'name', 'must be a non-empty string');
  if (typeof fn !== 'function') throw new InvalidOptionsError(subject, 'fn', 'must be a function');
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new InvalidOptionsError(subject, 'options', 'must be an object');
  const registration: FunctionRegistration = {
    source: 'function',
    kind,
    name,
    options: options ?? {},
    registeredAt: callerLocation(),
    original: fn,
  };
  record(registration, subject);
  const callable = function (this: unknown, ...args: A): Promise<R> {
    return Promise.resolve(dispatch(registration, this, args)) as Promise<R>;
  };
  Object.defineProperty(callable, 'name', { value: fn.name || name });
  Object.defineProperty(callable, 'durableName', { value: name, enumerable: true });
  Object.defineProperty(callable, REGISTRATION, { value: registration });
  return callable as RegisteredFunction<A, R>;
}
