import type { ModuleRef } from '@nestjs/core';
import type { ServiceContainer } from '../di/service-container.js';
import { EngineStateError } from '../errors.js';
import type { Constructor } from '../registry/registration.js';

/**
 * A ServiceContainer over Nest's container: the engine resolves the workflow
 * and activity classes it runs as Nest providers, from any module
 * (`moduleRef.get(Class, { strict: false })`), so their constructor
 * injection is Nest's. Providers must be singleton-scoped (the default).
 */
export function nestContainer(moduleRef: ModuleRef): ServiceContainer {
  const resolve = <T>(target: Constructor<T>): T => {
    try {
      return moduleRef.get<T>(target, { strict: false });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Nest finds a request- or transient-scoped provider but will not hand it out through get().
      const scoped = /scoped provider/i.test(reason);
      throw new EngineStateError(
        (scoped
          ? `${target.name} is a request- or transient-scoped provider, or depends on one: Tempolite needs workflow and saga classes singleton-scoped (the default), their dependencies too. `
          : `${target.name} is not a provider of this Nest application: add it to the providers of a module, singleton-scoped. `) +
          `Tempolite resolves workflow and saga classes through Nest's container (${reason}).`,
      );
    }
  };
  // Resolving a singleton only looks it up: the check is the resolve itself, its value dropped.
  return { resolve, assertResolvable: resolve };
}
