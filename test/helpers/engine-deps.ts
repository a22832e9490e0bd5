import { SystemClock } from '../../src/engine/clock.js';
import type { EngineDeps } from '../../src/engine/engine-deps.js';
import { resolveOptions } from '../../src/engine/engine-options.js';
import { silentLogger } from '../../src/engine/logger.js';
import { tsyringeContainer } from '../../src/di/service-container.js';
import { allRegistrations } from '../../src/registry/metadata-storage.js';
import { Registry } from '../../src/registry/registry.js';
import { PayloadEncoder, SuperJsonCodec } from '../../src/store/codec.js';
import { openStore } from '../../src/store/open-store.js';

/**
 * The engine's internals on a SQLite file, without workers: for calling an
 * engine function (e.g. `compensateWorkflow`) directly, as a unit.
 * `close()` closes the store and frees the file for the next engine.
 */
export async function openEngineDeps(database: string, register: readonly unknown[]): Promise<{ deps: EngineDeps; close: () => Promise<void> }> {
  const options = resolveOptions({ database });
  const registry = Registry.build(allRegistrations(), { include: register, queues: [...options.queues.keys()], defaultQueue: 'default' });
  const opened = await openStore({ database, synchronous: options.durability, busyTimeoutMs: options.busyTimeoutMs });
  const deps: EngineDeps = {
    store: opened.store,
    registry,
    payloads: new PayloadEncoder(new SuperJsonCodec(), options.maxPayloadBytes),
    clock: new SystemClock(),
    logger: silentLogger,
    container: tsyringeContainer(),
    options,
    workerId: 'unit-worker',
    wake: () => Promise.resolve(),
    poke: () => undefined,
    held: () => [],
  };
  return {
    deps,
    close: async () => {
      try {
        await opened.store.close();
      } finally {
        opened.release();
      }
    },
  };
}
