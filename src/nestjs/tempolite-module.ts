import { Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { TempoliteOptions } from '../engine/engine-options.js';
import { InvalidOptionsError } from '../errors.js';
import { Tempolite } from '../engine/tempolite.js';
import { nestContainer } from './nest-container.js';
import { TempoliteLifecycle } from './tempolite-lifecycle.js';

/** Engine options for the Nest module: every engine option but `container`, which is Nest's. */
export type TempoliteModuleOptions = Omit<TempoliteOptions, 'container'> & {
  /** Register the module globally, so every module can inject `Tempolite`. @default true */
  readonly isGlobal?: boolean | undefined;
};

/** `TempoliteModule.forRootAsync`: options from a factory with injected dependencies (e.g. a config service). */
export interface TempoliteModuleAsyncOptions {
  /** Modules whose providers `useFactory` injects (e.g. a config module). @default [] */
  imports?: ModuleMetadata['imports'] | undefined;
  /** Builds the engine options. */
  readonly useFactory: (...args: never[]) => Omit<TempoliteOptions, 'container'> | Promise<Omit<TempoliteOptions, 'container'>>;
  /** Providers passed to `useFactory`. @default [] */
  readonly inject?: FactoryProvider['inject'] | undefined;
  /** Register the module globally. @default true */
  readonly isGlobal?: boolean | undefined;
}

/** Injection token of the engine options; exported by the module, so other providers may inject them. */
export const TEMPOLITE_MODULE_OPTIONS = Symbol.for('tempolite.nestjs.options');

/**
 * Tempolite for NestJS: registers the engine (`Tempolite`) as a provider,
 * resolves workflow and activity classes through Nest's container (make them
 * providers), starts the engine on application bootstrap and closes it when
 * the application closes (call `app.enableShutdownHooks()` so SIGTERM does).
 *
 * ```ts
 * @Module({
 *   imports: [TempoliteModule.forRoot({ database: './orders.db' })],
 *   providers: [OrderWorkflow, PaymentsService],
 *   controllers: [OrdersController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
export class TempoliteModule {
  /** The module with fixed engine options. */
  static forRoot(options: TempoliteModuleOptions = {}): DynamicModule {
    const { isGlobal, ...engineOptions } = options;
    refuseContainer(engineOptions);
    return TempoliteModule.build(isGlobal, [], { provide: TEMPOLITE_MODULE_OPTIONS, useValue: engineOptions });
  }

  /** The module with engine options built by a factory (e.g. from a config service). */
  static forRootAsync(options: TempoliteModuleAsyncOptions): DynamicModule {
    return TempoliteModule.build(options.isGlobal, options.imports ?? [], {
      provide: TEMPOLITE_MODULE_OPTIONS,
      useFactory: options.useFactory as (...args: unknown[]) => unknown,
      inject: options.inject ?? [],
    });
  }

  private static build(isGlobal: boolean | undefined, imports: NonNullable<ModuleMetadata['imports']>, optionsProvider: Provider): DynamicModule {
    const engine: FactoryProvider<Tempolite> = {
      provide: Tempolite,
      useFactory: (options: Omit<TempoliteOptions, 'container'>, moduleRef: ModuleRef) => {
        refuseContainer(options);
        return new Tempolite({ ...options, container: nestContainer(moduleRef) });
      },
      inject: [TEMPOLITE_MODULE_OPTIONS, ModuleRef],
    };
    return {
      module: TempoliteModule,
      global: isGlobal ?? true,
      imports,
      providers: [optionsProvider, engine, TempoliteLifecycle],
      exports: [Tempolite, TEMPOLITE_MODULE_OPTIONS],
    };
  }
}

/**
 * A `container` given to the module would be replaced by Nest's without a word: refused instead.
 * `container: undefined` is an option left out, as everywhere else (e.g. engine options spread in).
 */
function refuseContainer(options: object): void {
  if ((options as { container?: unknown }).container !== undefined) {
    throw new InvalidOptionsError('TempoliteModule', 'container', "the module resolves workflow classes through Nest's container; leave the option out");
  }
}
