import { DEFAULT_ACTIVITY_RETRY, DEFAULT_WORKFLOW_RETRY, resolveRetryPolicy, type RetryPolicy } from '../engine/retry-policy.js';
import { parseSchedule } from '../engine/schedule/cron-schedule.js';
import { attemptTimeoutMs } from '../engine/steps/attempt-deadline.js';
import { DuplicateNameError, InvalidOptionsError, UnknownQueueError } from '../errors.js';
import { validateSaga, type DecoratedMethods } from './validate-saga.js';
import { RESERVED_PREFIX, type Definition, type StepDefinition, type WorkflowDefinition } from './definitions.js';
import { describeRegistration, requestedDurableName, type Constructor, type Registration } from './registration.js';
import { assertName } from './validate-name.js';

/** Same symbol as the twins' `REGISTRATION`, read here without importing the decorators. */
const REGISTRATION_KEY = Symbol.for('tempolite.registration');

const ALLOWED_KEYS: Record<Registration['kind'], readonly string[]> = {
  workflow: ['name', 'retry', 'queue', 'schedule'],
  activity: ['name', 'retry', 'timeout'],
  sideEffect: ['name'],
  saga: ['name', 'retry', 'timeout', 'compensate', 'compensationRetry', 'compensateFn'],
};

/** Compensations are retried harder than transactions: giving up leaves the world half-undone. */
const DEFAULT_COMPENSATION_RETRY: RetryPolicy = Object.freeze({ ...DEFAULT_ACTIVITY_RETRY, maxAttempts: 5 });

/** Which registrations an engine includes, and which queues exist. */
export interface RegistryScope {
  /** Classes and registered functions to include; everything recorded when absent. */
  readonly include?: readonly unknown[];
  /** Declared queue names. */
  readonly queues: readonly string[];
  /** Queue used when a workflow names none. */
  readonly defaultQueue: string;
}

/**
 * The validated, frozen set of workflows and steps one engine runs. Built from
 * the recorded registrations when the engine starts; never changes afterwards.
 */
export class Registry {
  private readonly byName = new Map<string, Definition>();
  private readonly byRegistration = new Map<Registration, Definition>();

  private constructor() {}

  /**
   * Validates every included registration and builds the definitions.
   * @throws DuplicateNameError, ReservedNameError, InvalidOptionsError, MissingCompensationError, UnknownQueueError
   */
  static build(registrations: readonly Registration[], scope: RegistryScope): Registry {
    const registry = new Registry();
    const included = registrations.filter((r) => isIncluded(r, scope.include));
    scope.include?.forEach((item, index) => {
      // A plain function (the original a twin wraps, an arrow) or a class with nothing decorated would include nothing:
      // the workflows calling it would only pause later, for a step left out.
      if (!registrations.some((r) => isIncluded(r, [item]))) {
        const what = typeof item === 'function' && item.name !== '' ? `"${item.name}"` : 'this entry';
        throw new InvalidOptionsError(
          'Tempolite options',
          `register[${index}]`,
          `${what} is neither a class with @Workflow, @Activity, @SideEffect or @Saga methods nor a registered function: pass the function that registerWorkflow, registerActivity, registerSideEffect or registerSaga returned, not the one given to it`,
        );
      }
    });
    const decoratedMethods = new Map<Constructor, Map<string, Registration>>();
    for (const registration of included) {
      if (registration.source !== 'method') continue;
      const methods = decoratedMethods.get(registration.target) ?? new Map<string, Registration>();
      const previous = methods.get(registration.method);
      if (previous) {
        throw new InvalidOptionsError(describeRegistration(registration), 'target', `the method is already decorated by ${describeRegistration(previous)}`);
      }
      methods.set(registration.method, registration);
      decoratedMethods.set(registration.target, methods);
    }
    for (const registration of included) {
      const definition = buildDefinition(registration, scope, decoratedMethods);
      const existing = registry.byName.get(definition.name);
      if (existing) {
        throw new DuplicateNameError(definition.name, describeRegistration(existing.registration), describeRegistration(registration));
      }
      registry.byName.set(definition.name, definition);
      registry.byRegistration.set(registration, definition);
    }
    return registry;
  }

  /** The definition of a recorded registration, if this engine includes it. */
  definitionOf(registration: Registration): Definition | undefined {
    return this.byRegistration.get(registration);
  }

  /** The workflow registered under a durable name. */
  workflow(name: string): WorkflowDefinition | undefined {
    const definition = this.byName.get(name);
    return definition?.kind === 'workflow' ? definition : undefined;
  }

  /** The workflow defined by a class method, if any. */
  workflowOfMethod(target: Constructor, method: string): WorkflowDefinition | undefined {
    for (const definition of this.byRegistration.values()) {
      const r = definition.registration;
      if (definition.kind === 'workflow' && r.source === 'method' && r.method === method && (r.target === target || target.prototype instanceof r.target)) {
        return definition;
      }
    }
    return undefined;
  }

  /** The saga step registered under a durable name (compensations are looked up by the name a saga row recorded). */
  saga(name: string): StepDefinition | undefined {
    const definition = this.byName.get(name);
    return definition?.kind === 'saga' ? definition : undefined;
  }

  /** What kind of definition a durable name has in this engine (`activity`, `saga`, ...), if any. */
  kindOf(name: string): Definition['kind'] | undefined {
    return this.byName.get(name)?.kind;
  }

  /** Every workflow that has a schedule. */
  scheduledWorkflows(): WorkflowDefinition[] {
    return [...this.byName.values()].filter((d): d is WorkflowDefinition => d.kind === 'workflow' && d.schedule !== undefined);
  }

  /** Durable names of every workflow. */
  workflowNames(): string[] {
    return [...this.byName.values()].filter((d) => d.kind === 'workflow').map((d) => d.name);
  }
}

function isIncluded(registration: Registration, include: readonly unknown[] | undefined): boolean {
  if (include === undefined) return true;
  return include.some((item) => {
    if (registration.source === 'method') {
      return item === registration.target || (typeof item === 'function' && item.prototype instanceof registration.target);
    }
    return typeof item === 'function' && (item as unknown as Record<symbol, unknown>)[REGISTRATION_KEY] === registration;
  });
}

function buildDefinition(registration: Registration, scope: RegistryScope, decorated: DecoratedMethods): Definition {
  const subject = describeRegistration(registration);
  const options = registration.options as Record<string, unknown>;
  // A twin's name is its first argument: a `name` option would be ignored.
  const allowed = ALLOWED_KEYS[registration.kind].filter((k) => registration.source === 'method' || k !== 'name');
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const hint = key === 'name' ? ' (a registered function takes its name as its first argument)' : '';
      throw new InvalidOptionsError(subject, key, `unknown option; allowed: ${allowed.filter((k) => k !== 'compensateFn').join(', ')}${hint}`);
    }
  }
  const name = requestedDurableName(registration);
  if (typeof name !== 'string') throw new InvalidOptionsError(subject, 'name', 'must be a string');
  assertName(name, subject, RESERVED_PREFIX);

  if (registration.kind === 'workflow') {
    const queue = options.queue ?? scope.defaultQueue;
    if (typeof queue !== 'string') throw new InvalidOptionsError(subject, 'queue', 'must be a string');
    if (!scope.queues.includes(queue)) throw new UnknownQueueError(queue, scope.queues);
    const definition: WorkflowDefinition = {
      kind: 'workflow',
      name,
      registration,
      retry: resolveRetryPolicy(options.retry, DEFAULT_WORKFLOW_RETRY, subject),
      queue,
      ...(options.schedule !== undefined ? { schedule: parseSchedule(options.schedule, subject) } : {}),
      ...(registration.source === 'method' ? { target: registration.target } : {}),
    };
    return Object.freeze(definition);
  }
  const step: StepDefinition = {
    kind: registration.kind,
    name,
    registration,
    retry: resolveRetryPolicy(options.retry, DEFAULT_ACTIVITY_RETRY, subject),
    ...(options.timeout !== undefined ? { timeoutMs: attemptTimeoutMs(options.timeout, subject) } : {}),
    ...(registration.kind === 'saga'
      ? {
          compensation: validateSaga(registration, decorated),
          compensationRetry: resolveRetryPolicy(options.compensationRetry, DEFAULT_COMPENSATION_RETRY, `${subject} (compensationRetry)`),
        }
      : {}),
  };
  return Object.freeze(step);
}

