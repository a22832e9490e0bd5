import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Constructor } from '../registry/registration.js';

/**
 * Resolves the classes whose workflows and steps the engine runs, so their
 * constructor injection works. tsyringe by default; a NestJS module plugs
 * Nest's container in through the same interface.
 */
export interface ServiceContainer {
  resolve<T>(target: Constructor<T>): T;
  /**
   * Throws (as `resolve` would) when `target` cannot be resolved, without
   * resolving it; a container that can build any class leaves it out.
   */
  assertResolvable?(target: Constructor): void;
}

/** A ServiceContainer over a tsyringe container (the global one by default). */
export function tsyringeContainer(container: DependencyContainer = rootContainer): ServiceContainer {
  return { resolve: <T>(target: Constructor<T>): T => container.resolve(target) };
}
