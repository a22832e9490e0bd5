import type { Logger } from '../engine/logger.js';
import { InvalidOptionsError, describeCause } from '../errors.js';
import type { TempoliteEventName, TempoliteEvents, TempoliteListener } from './event-types.js';

type AnyListener = (event: never) => unknown;

/** Every event name, checked complete against `TempoliteEvents` by its type. */
const EVENT_NAMES: Readonly<Record<TempoliteEventName, true>> = {
  'workflow.started': true,
  'workflow.completed': true,
  'workflow.failed': true,
  'workflow.retried': true,
  'workflow.compensating': true,
  'workflow.compensated': true,
  'workflow.compensation_failed': true,
  'workflow.cancelled': true,
  'workflow.paused': true,
  'step.started': true,
  'step.completed': true,
  'step.failed': true,
  'compensation.started': true,
  'compensation.completed': true,
  'compensation.failed': true,
};

/** The ids an event carries, for the log line of a listener that failed on it. */
const EVENT_IDS = ['workflowId', 'runId', 'executionId', 'stepId'] as const;

/**
 * The engine's typed event emitter. Listeners run synchronously, in the order
 * they were added; one that throws (or whose promise rejects) is logged and
 * never disturbs the engine or the other listeners.
 */
export class EventHub {
  private readonly listeners = new Map<TempoliteEventName, AnyListener[]>();
  /** Where listener errors go; the engine sets its logger here when it starts. */
  logger: Logger | undefined;

  /**
   * Adds a listener; returns a function that removes it.
   * @throws InvalidOptionsError when `name` is not an event or `listener` not a function
   */
  on<K extends TempoliteEventName>(name: K, listener: TempoliteListener<K>): () => void {
    // Plain JavaScript gets past the types: a misspelt name would never fire, a non-function would fail each emit.
    if (typeof name !== 'string' || !Object.hasOwn(EVENT_NAMES, name)) {
      throw new InvalidOptionsError('engine.on()', 'event', `must be one of ${Object.keys(EVENT_NAMES).join(', ')}; got ${describeCause(name)}`);
    }
    if (typeof listener !== 'function') throw new InvalidOptionsError(`engine.on("${name}")`, 'listener', `must be a function, got ${describeCause(listener)}`);
    const list = this.listeners.get(name) ?? [];
    // A copy on write: an emit in progress keeps iterating the list it started with.
    this.listeners.set(name, [...list, listener]);
    return () => this.off(name, listener);
  }

  /** Removes a listener added with `on` (the first registration of it). */
  off<K extends TempoliteEventName>(name: K, listener: TempoliteListener<K>): void {
    const list = this.listeners.get(name);
    if (list === undefined) return;
    const index = list.indexOf(listener);
    if (index < 0) return;
    const next = [...list.slice(0, index), ...list.slice(index + 1)];
    if (next.length === 0) this.listeners.delete(name);
    else this.listeners.set(name, next);
  }

  /** Whether anyone listens to `name` (so callers can skip building the event). */
  has(name: TempoliteEventName): boolean {
    return this.listeners.has(name);
  }

  /** Calls the listeners of `name` with `event`. */
  emit<K extends TempoliteEventName>(name: K, event: TempoliteEvents[K]): void {
    const list = this.listeners.get(name);
    if (list === undefined) return;
    for (const listener of list) {
      try {
        const returned = (listener as TempoliteListener<K>)(event);
        if (returned instanceof Promise) returned.catch((error: unknown) => this.report(name, event, error));
      } catch (error) {
        this.report(name, event, error);
      }
    }
  }

  private report(name: TempoliteEventName, event: object, error: unknown): void {
    const ids = Object.fromEntries(EVENT_IDS.filter((key) => key in event).map((key) => [key, (event as Record<string, unknown>)[key]]));
    this.logger?.error({ err: error, event: name, ...ids }, `a listener of "${name}" failed`);
  }
}
