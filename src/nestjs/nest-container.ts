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
  return {
    resolve<T>(target: Constructor<T>): T {
      try {
        return moduleRef.get<T>(target, { strict: false });
      } catch (error) {
        throw new EngineStateError(
          `${target.name} is not a provider of this Nest application: add it to the providers of a module, ` +
            `as Tempolite resolves workflow and activity classes through Nest's container ` +
            `(${error instanceof Error ? error.message : String(error)}).`,
        );
      }
    },
  };
}
