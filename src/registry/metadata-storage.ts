import { RegistryFrozenError } from '../errors.js';
import { registrationName, requestedDurableName, type Constructor, type Registration, type RegistrationKind } from './registration.js';

/**
 * Module-wide record of what decorators and twins registered, kept on
 * `globalThis` so two copies of the package in one process still agree.
 * It only stores; the registry validates when an engine starts.
 */
interface Storage {
  readonly registrations: Registration[];
  /** Engines currently started: registering while any runs is refused. */
  runningEngines: number;
}

const KEY = Symbol.for('tempolite.metadata-storage');

function storage(): Storage {
  const holder = globalThis as { [KEY]?: Storage };
  holder[KEY] ??= { registrations: [], runningEngines: 0 };
  return holder[KEY];
}

/** Records a registration; refused while an engine runs. `subject` names it in messages (`@Activity on Shop.pay`). */
export function record(registration: Registration, subject: string): void {
  const s = storage();
  if (s.runningEngines > 0) {
    const name = requestedDurableName(registration);
    throw new RegistryFrozenError(typeof name === 'string' ? name : registrationName(registration), subject);
  }
  s.registrations.push(registration);
}

/** Every registration recorded so far, in order. */
export function allRegistrations(): readonly Registration[] {
  return storage().registrations;
}

/** Marks one more engine as started: the registry is frozen until it closes. */
export function freeze(): void {
  storage().runningEngines += 1;
}

/** Marks an engine as closed. */
export function unfreeze(): void {
  const s = storage();
  s.runningEngines = Math.max(0, s.runningEngines - 1);
}

/** `file:line` of the first stack frame outside Tempolite's own decorator code. */
export function callerLocation(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  // Decorator helpers (tslib, oxc, TypeScript's __decorate) live in node_modules or are inlined as __decorate.
  const frame = lines.find((line) => !/[\\/]src[\\/](decorators|registry)[\\/]|node_modules|node:internal|__decorate/.test(line));
  const match = frame?.match(/\(?((?:file:\/\/)?[^()\s]+:\d+):\d+\)?\s*$/);
  return match?.[1] ?? 'unknown location';
}

/**
 * The registration a decorator recorded for a class's method (a subclass inherits its base class's), of `kind`
 * when given; undefined: none.
 */
export function recordedMethod(target: unknown, method: string, kind?: RegistrationKind): Registration | undefined {
  if (typeof target !== 'function') return undefined;
  const cls = target as Constructor;
  return allRegistrations().find(
    (r) => r.source === 'method' && r.method === method && (kind === undefined || r.kind === kind) && (r.target === cls || cls.prototype instanceof r.target),
  );
}
