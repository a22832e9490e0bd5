import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, RegistryFrozenError, Workflow, registerActivity, registerWorkflow } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

// Alone in its file: an engine without `register` runs every class decorated in the process.
class Good {
  @Workflow({ name: 'freeze.good' }) async run(): Promise<string> {
    return 'ok';
  }
}

describe('registering while an engine runs', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('is an error while an engine that runs every registration is started, and works again once it is closed', async () => {
    const { engine, dispose } = await startEngine();
    cleanups.push(dispose);
    const late = (register: () => unknown): RegistryFrozenError => {
      try {
        register();
      } catch (error) {
        return error as RegistryFrozenError;
      }
      throw new Error('registering did not throw');
    };
    const twin = late(() => registerActivity('late.activity', async () => 1));
    expect(twin).toBeInstanceOf(RegistryFrozenError);
    expect(twin).toMatchObject({ code: 'TEMPOLITE_REGISTRY_FROZEN', durableName: 'late.activity' });
    expect(twin.message).toContain('registerActivity("late.activity")');
    const decorated = late(() => {
      class Late {
        @Activity() async x(): Promise<void> {}
      }
      return Late;
    });
    expect(decorated).toBeInstanceOf(RegistryFrozenError);
    expect(decorated.durableName).toBe('Late.x');
    expect(decorated.message).toContain('@Activity on Late.x');
    expect(late(() => registerWorkflow('late.flow', async () => 1)).durableName).toBe('late.flow');
    const named = late(() => {
      class LateNamed {
        @Activity({ name: 'late.named' }) async y(): Promise<void> {}
      }
      return LateNamed;
    });
    expect(named.durableName).toBe('late.named');
    expect(named.message).toContain('@Activity on LateNamed.y (durable name "late.named")');
    expect(await (await engine.startWorkflow(Good, 'run', [])).result()).toBe('ok');
    await engine.close();
    expect(() => registerActivity('late.activity', async () => 1)).not.toThrow();
  });

  it('is allowed beside engines with their own register list: what they run cannot change', async () => {
    const scoped = await startEngine({ register: [Good] });
    cleanups.push(scoped.dispose);
    class Later {
      @Workflow({ name: 'freeze.good' }) async sameName(): Promise<string> {
        return 'later';
      }
    }
    const lateTwin = registerActivity('freeze.lateTwin', async () => 2);
    expect(await (await scoped.engine.startWorkflow(Good, 'run', [])).result()).toBe('ok');
    // A second scoped engine may run what was registered meanwhile.
    const other = await startEngine({ register: [Later, lateTwin] });
    cleanups.push(other.dispose);
    expect(await (await other.engine.startWorkflow(Later, 'sameName', [])).result()).toBe('later');
    expect(await checkConsistency(scoped.file)).toEqual([]);
  });
});
