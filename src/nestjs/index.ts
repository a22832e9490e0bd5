/**
 * Tempolite for NestJS (`tempolite/nestjs`): `TempoliteModule.forRoot({...})`
 * registers the engine as a provider, resolves workflow and activity classes
 * through Nest's container, and starts and stops the engine with the
 * application. Needs `@nestjs/common` and `@nestjs/core` (optional peer dependencies).
 *
 * @packageDocumentation
 */
import '../reflect-check.js';

export { TempoliteModule, TEMPOLITE_MODULE_OPTIONS, type TempoliteModuleOptions, type TempoliteModuleAsyncOptions } from './tempolite-module.js';
export { nestContainer } from './nest-container.js';
export { TempoliteLifecycle } from './tempolite-lifecycle.js';
