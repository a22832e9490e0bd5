import type { Logger } from '../engine/logger.js';
import type { TempoliteEventName, TempoliteEvents, TempoliteListener } from './event-types.js';

type AnyListener = (event: never) => unknown;

/**
 * The engine's typed event emitter. Listeners run synchronously, in the order
 * they were added; one that throws (or whose promise rejects) is logged and
 * never disturbs the engine or the other listeners.
 */
export class EventHub {
  private readonly listeners = new Map<TempoliteEventName, AnyListener[]>();
  /** Where listener errors go; the engine sets its logger here when it starts. */
  logger: Logger | undefined;

  /** Adds a listener; returns a function that removes it. */
  on<K extends TempoliteEventName>(name: K, listener: TempoliteListener<K>): () => void {
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
        if (returned instanceof Promise) returned.catch((error: unknown) => this.report(name, error));
      } catch (error) {
        this.report(name, error);
      }
    }
  }

  private report(name: TempoliteEventName, error: unknown): void {
    this.logger?.error({ err: error, event: name }, `a listener of "${name}" failed`);
  }
}
