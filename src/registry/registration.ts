/** The kinds of things a decorator or a decorator-free twin registers. */
export type RegistrationKind = 'workflow' | 'activity' | 'sideEffect' | 'saga';

/** A class constructor, as accepted by the DI container. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructors of any shape are accepted
export type Constructor<T = unknown> = new (...args: any[]) => T;

/** A plain function of any shape (the registered implementation). */
export type AnyFunction = (...args: never[]) => unknown;

/** What a decorator records: one decorated method. Decorators write nothing else. */
export interface MethodRegistration {
  readonly source: 'method';
  readonly kind: RegistrationKind;
  readonly target: Constructor;
  readonly method: string;
  readonly options: unknown;
  /** `file:line` of the decoration, shown by duplicate-name errors. */
  readonly registeredAt: string;
  /** The undecorated method. */
  readonly original: AnyFunction;
}

/** What a decorator-free twin (`registerActivity(...)`, ...) records. */
export interface FunctionRegistration {
  readonly source: 'function';
  readonly kind: RegistrationKind;
  readonly name: string;
  readonly options: unknown;
  readonly registeredAt: string;
  readonly original: AnyFunction;
}

/** One recorded registration. */
export type Registration = MethodRegistration | FunctionRegistration;

/** What a registration is called in code: a twin's name, or `Class.method`. */
export function registrationName(registration: Registration): string {
  return registration.source === 'function' ? registration.name : `${registration.target.name}.${registration.method}`;
}

/** The durable name a registration asks for: its explicit `name` option, else its name in code (the registry validates it at start). */
export function requestedDurableName(registration: Registration): unknown {
  if (registration.source === 'function') return registration.name;
  const explicit = (registration.options as { name?: unknown }).name;
  return explicit === undefined ? registrationName(registration) : explicit;
}

/** Human label of a registration for error messages, e.g. `@Activity on OrderService.charge`. */
export function describeRegistration(registration: Registration): string {
  const decorator = { workflow: 'Workflow', activity: 'Activity', sideEffect: 'SideEffect', saga: 'Saga' }[registration.kind];
  return registration.source === 'method'
    ? `@${decorator} on ${registration.target.name}.${registration.method} (${registration.registeredAt})`
    : `register${decorator}("${registration.name}") (${registration.registeredAt})`;
}
