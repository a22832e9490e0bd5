import 'reflect-metadata';
import { Inject, Injectable, Module, Scope, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, EngineStateError, InvalidOptionsError, Saga, Tempolite, Workflow, silentLogger, type TempoliteOptions } from '../../src/index.js';
import { TEMPOLITE_MODULE_OPTIONS, TempoliteModule } from '../../src/nestjs/index.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { eventually } from '../helpers/eventually.js';

@Injectable()
class Provided {
  @Activity({ name: 'nestmod.add' }) async add(n: number): Promise<number> {
    return n + 1;
  }
  @Workflow({ name: 'nestmod.provided' }) async run(n: number): Promise<number> {
    return this.add(n);
  }
}

/** Decorated, but no module lists it as a provider. */
class NotProvided {
  @Workflow({ name: 'nestmod.notProvided' }) async run(): Promise<number> {
    return 1;
  }
}

@Injectable({ scope: Scope.TRANSIENT })
class Transient {
  @Workflow({ name: 'nestmod.transient' }) async run(): Promise<number> {
    return 1;
  }
}

/** A saga class Nest will not hand out later (transient), for its compensation. */
@Injectable({ scope: Scope.TRANSIENT })
class TransientSaga {
  static booked = 0;
  @Saga({ name: 'nestmod.book', compensate: 'unbook' }) async book(): Promise<string> {
    TransientSaga.booked += 1;
    return 'booked';
  }
  async unbook(): Promise<void> {
    TransientSaga.booked -= 1;
  }
}

/** A singleton workflow that calls a saga step on its injected transient helper. */
@Injectable()
class Booking {
  constructor(@Inject(TransientSaga) private readonly saga: TransientSaga) {}
  @Workflow({ name: 'nestmod.booking', retry: { maxAttempts: 1 } }) async run(): Promise<string> {
    return this.saga.book();
  }
}

/** A provider of the application that reads the module's options. */
@Injectable()
class ReadsOptions {
  constructor(@Inject(TEMPOLITE_MODULE_OPTIONS) readonly options: TempoliteOptions) {}
}

describe('TempoliteModule', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function app(providers: unknown[]): Promise<{ context: INestApplicationContext; engine: Tempolite; database: string }> {
    const temp = tempDatabase();
    cleanups.push(() => temp.cleanup());
    @Module({
      imports: [TempoliteModule.forRoot({ database: temp.file, logger: silentLogger, register: [Provided, NotProvided, Transient, TransientSaga, Booking] })],
      providers: providers as never[],
    })
    class AppModule {}
    const context = await NestFactory.createApplicationContext(AppModule, { logger: false });
    cleanups.push(() => context.close());
    await context.init();
    return { context, engine: context.get(Tempolite), database: temp.file };
  }

  it('exports TEMPOLITE_MODULE_OPTIONS: a provider of the application can inject the options', async () => {
    const { context, database } = await app([Provided, Transient, ReadsOptions]);
    expect(context.get(ReadsOptions).options).toMatchObject({ database });
  });

  /** The error a workflow the engine could not run as deployed was paused with. */
  async function pausedWith(handle: { status(): Promise<string>; describe(): Promise<{ executions: readonly { error?: Error }[] }> }): Promise<Error | undefined> {
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    return (await handle.describe()).executions.at(-1)?.error;
  }

  it('runs workflows of providers; one that is not a provider, or not singleton-scoped, is paused with an EngineStateError that says which', async () => {
    const { engine } = await app([Provided, Transient]);
    expect(await (await engine.startWorkflow(Provided, 'run', [1])).result()).toBe(2);

    const missing = await pausedWith(await engine.startWorkflow(NotProvided, 'run', []));
    expect(missing).toBeInstanceOf(EngineStateError);
    expect(missing?.message).toContain('NotProvided is not a provider of this Nest application');

    const scoped = await pausedWith(await engine.startWorkflow(Transient, 'run', []));
    expect(scoped).toBeInstanceOf(EngineStateError);
    expect(scoped?.message).toContain('Transient is a request- or transient-scoped provider');
  });

  it('pauses a workflow at a saga step whose compensation Nest could not resolve later, before its transaction runs', async () => {
    const { engine } = await app([Booking, TransientSaga]);
    TransientSaga.booked = 0;
    const error = await pausedWith(await engine.startWorkflow(Booking, 'run', []));
    expect(error).toBeInstanceOf(EngineStateError);
    expect(error?.message).toContain('TransientSaga is a request- or transient-scoped provider');
    expect(TransientSaga.booked).toBe(0);
  });

  it('refuses a container option: the module uses Nest\'s', () => {
    const error = (() => {
      try {
        TempoliteModule.forRoot({ database: ':memory:', container: { resolve: () => undefined } } as never);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ subject: 'TempoliteModule', path: 'container' });
  });
});
