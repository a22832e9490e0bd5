import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { EngineStateError } from '../errors.js';
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
  return {
    resolve: <T>(target: Constructor<T>): T => {
      try {
        return container.resolve(target);
      } catch (error) {
        // tsyringe's own words ("TypeInfo not known for ...") do not say what to change.
        const reason = error instanceof Error ? error.message : String(error);
        // @injectable() is there, but the compiler emitted no constructor types for it to read.
        if (target.length > 0 && Reflect.getMetadata('design:paramtypes', target) === undefined && Reflect.getMetadata('injectionTokens', target) === undefined) {
          throw new EngineStateError(
            `tsyringe cannot create ${target.name}, whose workflows or steps the engine runs: its constructor takes parameters, but no ` +
              `constructor types were recorded for it. A class with constructor parameters needs @injectable() (from tsyringe), and ` +
              `"emitDecoratorMetadata" (with "experimentalDecorators") in tsconfig.json, compiled by a tool that emits decorator metadata ` +
              `(tsc, SWC with decoratorMetadata; esbuild and tsx do not) (${reason}).`,
          );
        }
        throw new EngineStateError(
          `tsyringe cannot create ${target.name}, whose workflows or steps the engine runs: a class with constructor parameters ` +
            `needs @injectable() (from tsyringe), and each parameter a class type or an @inject(token) registered in the container ` +
            `(an interface type is not one) (${reason}).`,
        );
      }
    },
  };
}
