import { InvalidOptionsError } from '../errors.js';
import { callerLocation, record } from '../registry/metadata-storage.js';
import type { AnyFunction, Constructor, MethodRegistration, RegistrationKind } from '../registry/registration.js';
import { dispatch } from './dispatch.js';

/** A method that returns a promise: every step and workflow is awaited. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- decorated methods keep their own signatures
export type AsyncMethod = (...args: any[]) => Promise<unknown>;

/**
 * Shared body of the method decorators: records the registration and puts a
 * thin dispatcher in place of the method. The dispatcher reads ambient state
 * at call time; nothing here touches an engine or a database.
 */
export function decorateMethod(
  kind: RegistrationKind,
  decoratorName: string,
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor,
  options: unknown,
): PropertyDescriptor {
  // TC39 standard decorators are called as (method, context): the compiler was not told to use the legacy ones.
  if (typeof propertyKey === 'object' && propertyKey !== null && 'kind' in propertyKey) {
    const name = (propertyKey as { name?: unknown }).name;
    throw new InvalidOptionsError(
      `@${decoratorName} on ${typeof name === 'string' ? name : 'a method'}`,
      'decorators',
      'Tempolite uses TypeScript\'s legacy decorators, but this code was compiled with the standard (TC39) ones: enable "experimentalDecorators" and "emitDecoratorMetadata" in tsconfig.json (or the legacy-decorator option of your compiler)',
    );
  }
  const method = String(propertyKey);
  const subject = `@${decoratorName} on ${typeof target === 'function' ? target.name : target.constructor.name}.${method}`;
  if (typeof target === 'function') throw new InvalidOptionsError(subject, 'target', 'static methods cannot be decorated; decorate an instance method');
  if (typeof propertyKey === 'symbol') throw new InvalidOptionsError(subject, 'target', 'symbol-named methods have no stable durable name');
  // A field has no descriptor (TypeScript passes none for a property).
  const original: unknown = (descriptor as PropertyDescriptor | undefined)?.value;
  if (typeof original !== 'function') throw new InvalidOptionsError(subject, 'target', 'only methods can be decorated (not accessors or fields)');
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new InvalidOptionsError(subject, 'options', 'must be an object');
  // The rest of the options are checked when an engine starts; a name no engine could take is refused now, as the twins do.
  const name = (options as { name?: unknown } | undefined)?.name;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) throw new InvalidOptionsError(subject, 'name', typeof name === 'string' ? 'must not be empty' : 'must be a string');

  const registration: MethodRegistration = {
    source: 'method',
    kind,
    target: target.constructor as Constructor,
    method,
    options: options ?? {},
    registeredAt: callerLocation(),
    original: original as AnyFunction,
  };
  record(registration, subject);
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    return dispatch(registration, this, args);
  };
  Object.defineProperty(wrapper, 'name', { value: (original as AnyFunction).name });
  return { ...descriptor, value: wrapper };
}
