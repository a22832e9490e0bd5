import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Tempolite } from '../engine/tempolite.js';

/**
 * Starts the engine when the application has bootstrapped (every provider is
 * ready) and closes it gracefully when the application closes.
 *
 * It closes in `onModuleDestroy`: Nest destroys the root module first and
 * global modules such as this one after it, so the engine stops before any
 * `beforeApplicationShutdown` / `onApplicationShutdown` hook runs. Running
 * activities see their AbortSignal and are awaited; leases are released, so
 * the next start resumes the workflows at once.
 */
@Injectable()
export class TempoliteLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(Tempolite) private readonly engine: Tempolite) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.engine.close();
  }
}
