import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Activity,
  DuplicateNameError,
  EngineStateError,
  UnknownWorkflowError,
  InvalidOptionsError,
  MissingCompensationError,
  ReservedNameError,
  Saga,
  SideEffect,
  Tempolite,
  UnknownQueueError,
  Workflow,
  registerSaga,
  registerWorkflow,
  silentLogger,
  workflowContext,
  type TempoliteOptions,
} from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { eventually } from '../helpers/eventually.js';

class DupA {
  @Activity({ name: 'dup.x' }) async x(): Promise<void> {}
}
class DupB {
  @Activity({ name: 'dup.x' }) async y(): Promise<void> {}
}
class Reserved {
  @Activity({ name: 'tempolite.sleep' }) async x(): Promise<void> {}
}
class BadRetry {
  @Activity({ retry: { maxAttempts: 0 } }) async x(): Promise<void> {}
}
class BadBackoff {
  @Workflow({ retry: { backoffCoefficient: 0.5 } }) async x(): Promise<void> {}
}
class UnknownOption {
  @Activity({ nmae: 'typo' } as never) async x(): Promise<void> {}
}
class ZeroTimeout {
  @Activity({ timeout: 0 }) async x(): Promise<void> {}
}
class WordTimeout {
  @Saga({ compensate: 'undo', timeout: 'soon' as never }) async x(): Promise<void> {}
  async undo(): Promise<void> {}
}
class SideEffectTimeout {
  @SideEffect({ timeout: '1s' } as never) async x(): Promise<number> {
    return 1;
  }
}
class BadCron {
  @Workflow({ schedule: '61 * * * *' }) async x(): Promise<void> {}
}
class DateCron {
  @Workflow({ schedule: '2026-12-24T00:00:00' }) async x(): Promise<void> {}
}
class BadZone {
  @Workflow({ schedule: { cron: '0 9 * * *', timezone: 'Mars/Olympus' } }) async x(): Promise<void> {}
}
class ScheduleTypo {
  @Workflow({ schedule: { cron: '0 9 * * *', tz: 'UTC' } as never }) async x(): Promise<void> {}
}
class HashName {
  @Activity({ name: 'a#b' }) async x(): Promise<void> {}
}
class MissingComp {
  @Saga({ compensate: 'undo' }) async book(): Promise<void> {}
}
class DecoratedComp {
  @Saga({ compensate: 'cancel' }) async book(): Promise<void> {}
  @Activity() async cancel(): Promise<void> {}
}
class NoCompOption {
  @Saga({} as never) async book(): Promise<void> {}
}
class SelfComp {
  @Saga({ compensate: 'book' }) async book(): Promise<void> {}
}
class UnknownQueueFlow {
  @Workflow({ queue: 'nowhere' }) async run(): Promise<void> {}
}
class Good {
  @Workflow({ name: 'good.flow' }) async run(): Promise<string> {
    return 'ok';
  }
}

class Elsewhere {
  @Activity({ name: 'elsewhere.step' }) async step(): Promise<number> {
    return 1;
  }
  @Workflow({ name: 'elsewhere.child' }) async child(): Promise<number> {
    return 1;
  }
}
class Caller {
  @Workflow({ name: 'caller.child' }) async callsChild(): Promise<number> {
    return new Elsewhere().child();
  }
  @Workflow({ name: 'caller.step' }) async callsStep(): Promise<number> {
    return new Elsewhere().step();
  }
}

/** No decorator: a plain method. */
class Plain {
  async compute(): Promise<number> {
    return 1;
  }
}

/** workflowContext() calls given what they cannot use: each is refused, and the workflow returns what it got. */
class Misuses {
  @Workflow({ name: 'misuse.calls' }) async calls(): Promise<string[]> {
    const ctx = workflowContext();
    const reason = (call: () => Promise<unknown>): Promise<string> => call().then(() => 'ran', (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`);
    return [
      await reason(() => ctx.child(Plain, 'compute', [])),
      await reason(() => ctx.child(Misuses, 'calls', [], { idd: 'typo' } as never)),
      await reason(() => ctx.waitForSignal('go', { timeot: '10ms' } as never)),
    ];
  }
}

interface Clock {
  now(): number;
}

/** A constructor parameter without @injectable(): tsyringe has no type information to build it from. */
class NotInjectable {
  constructor(readonly clock: Clock) {}
  @Workflow({ name: 'di.notInjectable' }) async run(): Promise<number> {
    return this.clock.now();
  }
}

describe('registry validation at engine start', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function refusedStart(options: TempoliteOptions): Promise<unknown> {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const engine = new Tempolite({ database: temp.file, logger: silentLogger, ...options });
    const error = await engine.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    await engine.close();
    // The refused engine wrote nothing; a correct engine then starts on the same file and finds it consistent.
    const good = await startEngine({ register: [Good] }, temp.file);
    expect((await countRows(temp.file)).tempolite_workflow_entity).toBe(0);
    expect(await (await good.engine.startWorkflow(Good, 'run', [])).result()).toBe('ok');
    await good.engine.close();
    expect(await checkConsistency(temp.file)).toEqual([]);
    return error;
  }

  it('duplicate names: the error says where the first was registered', async () => {
    const error = (await refusedStart({ register: [DupA, DupB] })) as DuplicateNameError;
    expect(error).toBeInstanceOf(DuplicateNameError);
    expect(error.code).toBe('TEMPOLITE_DUPLICATE_NAME');
    expect(error.durableName).toBe('dup.x');
    expect(error.firstRegisteredAt).toMatch(/DupA\.x .*registry-errors\.test\.ts:\d+/);
    expect(error.secondRegisteredAt).toMatch(/DupB\.y/);
  });

  it('reserved names', async () => {
    const error = (await refusedStart({ register: [Reserved] })) as ReservedNameError;
    expect(error).toBeInstanceOf(ReservedNameError);
    expect(error).toMatchObject({ durableName: 'tempolite.sleep', reservedPrefix: 'tempolite.' });
  });

  it('invalid options', async () => {
    for (const [cls, path] of [
      [BadRetry, 'retry.maxAttempts'],
      [BadBackoff, 'retry.backoffCoefficient'],
      [UnknownOption, 'nmae'],
      [HashName, 'name'],
      [ZeroTimeout, 'timeout'],
      [WordTimeout, 'timeout'],
      [SideEffectTimeout, 'timeout'],
      [BadCron, 'schedule'],
      [DateCron, 'schedule'],
      [BadZone, 'schedule.timezone'],
      [ScheduleTypo, 'schedule.tz'],
    ] as const) {
      const error = (await refusedStart({ register: [cls] })) as InvalidOptionsError;
      expect(error, cls.name).toBeInstanceOf(InvalidOptionsError);
      expect(error.path).toBe(path);
      expect(error.subject).toContain(cls.name);
    }
  });

  it("a twin's name option is refused: its name is its first argument", async () => {
    const renamed = registerWorkflow('twin.named', async () => 1, { name: 'renamed' } as never);
    const error = (await refusedStart({ register: [renamed] })) as InvalidOptionsError;
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.path).toBe('name');
    expect(error.reason).toBe('unknown option; allowed: retry, queue, schedule (a registered function takes its name as its first argument)');
  });

  it('a compensate that names a missing, decorated or the same method', async () => {
    for (const [cls, reason] of [
      [MissingComp, /has no method "undo"/],
      [DecoratedComp, /itself decorated/],
      [SelfComp, /cannot compensate itself/],
    ] as const) {
      const error = (await refusedStart({ register: [cls] })) as MissingCompensationError;
      expect(error).toBeInstanceOf(MissingCompensationError);
      expect(error.message).toMatch(reason);
      expect(error.className).toBe(cls.name);
    }
    const none = (await refusedStart({ register: [NoCompOption] })) as MissingCompensationError;
    expect(none).toBeInstanceOf(MissingCompensationError);
    expect(none.message).toBe('@Saga on NoCompOption.book has no compensate option, but compensate must be the name of a method of the same class.');
    const fn = registerSaga('twin.noComp', { run: async () => 1, compensate: undefined } as never);
    const twin = (await refusedStart({ register: [fn] })) as MissingCompensationError;
    expect(twin).toBeInstanceOf(MissingCompensationError);
    expect(twin.message).toBe('registerSaga("twin.noComp") takes { run, compensate }, but it is undefined, not a function.');
  });

  it('a register entry that includes nothing: a plain function (not its twin), an undecorated class', async () => {
    const original = async (n: number): Promise<number> => n;
    class Undecorated {
      async run(): Promise<void> {}
    }
    for (const [entry, named] of [
      [original, '"original"'],
      [Undecorated, '"Undecorated"'],
      [async () => 1, 'this entry'],
    ] as const) {
      const error = (await refusedStart({ register: [Good, entry] })) as InvalidOptionsError;
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ path: 'register[1]' });
      expect(error.message).toContain(`${named} is neither a class with @Workflow`);
      expect(error.message).toContain('registerActivity');
    }
  });

  it('an unknown queue', async () => {
    const error = (await refusedStart({ register: [UnknownQueueFlow] })) as UnknownQueueError;
    expect(error).toBeInstanceOf(UnknownQueueError);
    expect(error.queue).toBe('nowhere');
  });

  it('a child workflow or a step left out of register pauses the caller (reason setup): UnknownWorkflowError, EngineStateError; resume() on a deployment that registers them completes it', async () => {
    const { engine, file, dispose } = await startEngine({ register: [Caller] });
    cleanups.push(dispose);
    const paused: { workflowId: string; reason: string; error?: unknown }[] = [];
    engine.on('workflow.paused', (event) => paused.push(event));
    const childCaller = await engine.startWorkflow(Caller, 'callsChild', [], { id: 'calls-child' });
    const stepCaller = await engine.startWorkflow(Caller, 'callsStep', [], { id: 'calls-step' });
    await eventually(async () => (await childCaller.status()) === 'paused' && (await stepCaller.status()) === 'paused', 'both callers to pause');
    expect(paused.map((p) => [p.workflowId, p.reason]).sort()).toEqual([
      ['calls-child', 'setup'],
      ['calls-step', 'setup'],
    ]);
    const child = paused.find((p) => p.workflowId === 'calls-child')?.error;
    expect(child).toBeInstanceOf(UnknownWorkflowError);
    expect(child).toMatchObject({ code: 'TEMPOLITE_UNKNOWN_WORKFLOW', workflowName: 'Elsewhere.child', recordedAs: 'workflow' });
    expect((child as Error).message).toContain(`add its class (or its registerWorkflow() twin) to the engine's "register" option`);
    const step = paused.find((p) => p.workflowId === 'calls-step')?.error;
    expect(step).toBeInstanceOf(EngineStateError);
    expect((step as Error).message).toContain('@Activity on Elsewhere.step');
    const execution = (await stepCaller.describe()).executions.at(-1);
    expect(execution?.status).toBe('paused');
    expect(execution?.error).toBeInstanceOf(EngineStateError);
    expect(await checkConsistency(file)).toEqual([]);

    // The fixed deployment registers them: resume() runs both callers on.
    await engine.close();
    const fixed = await startEngine({ register: [Caller, Elsewhere] }, file);
    cleanups.push(() => fixed.engine.close());
    await fixed.engine.resume('calls-child');
    await fixed.engine.resume('calls-step');
    expect(await (await fixed.engine.getHandle('calls-child')).result()).toBe(1);
    expect(await (await fixed.engine.getHandle('calls-step')).result()).toBe(1);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('startWorkflow of a workflow left out of register, or of a step, is an UnknownWorkflowError that says which', async () => {
    const { engine, file, dispose } = await startEngine({ register: [Caller] });
    cleanups.push(dispose);
    const before = await countRows(file);
    const unregistered = await engine.startWorkflow(Elsewhere, 'child', []).catch((e: unknown) => e);
    expect(unregistered).toBeInstanceOf(UnknownWorkflowError);
    expect(unregistered).toMatchObject({ workflowName: 'Elsewhere.child', recordedAs: 'workflow' });
    expect((unregistered as Error).message).toContain('is a workflow this engine does not register');
    const step = await engine.startWorkflow(Elsewhere, 'step', []).catch((e: unknown) => e);
    expect(step).toMatchObject({ workflowName: 'Elsewhere.step', recordedAs: 'activity' });
    expect((step as Error).message).toBe('"Elsewhere.step" is an @Activity step, not a workflow: start a @Workflow method, which calls the step.');
    expect(await countRows(file)).toEqual(before);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('child() of an undecorated method is an UnknownWorkflowError; misspelt child() and waitForSignal() options are refused', async () => {
    const { engine, file, dispose } = await startEngine({ register: [Misuses] });
    cleanups.push(dispose);
    const [plain, childTypo, waitTypo] = await (await engine.startWorkflow(Misuses, 'calls', [])).result();
    expect(plain).toMatch(/^UnknownWorkflowError: .*Plain\.compute/);
    expect(childTypo).toMatch(/^InvalidOptionsError: .*"idd".*unknown option; allowed: id, queue/);
    expect(waitTypo).toMatch(/^InvalidOptionsError: .*"timeot".*unknown option; allowed: timeout/);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a workflow class tsyringe cannot create pauses the workflow with an EngineStateError that says what to add', async () => {
    const { engine, file, dispose } = await startEngine({ register: [NotInjectable] });
    cleanups.push(dispose);
    const handle = await engine.startWorkflow(NotInjectable, 'run', []);
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    const reason = (await handle.describe()).executions.at(-1)?.error;
    expect(reason).toBeInstanceOf(EngineStateError);
    expect(reason?.message).toMatch(/tsyringe cannot create NotInjectable, .*needs @injectable\(\)/);
    expect(reason?.message).toContain('emitDecoratorMetadata');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a decorator with an empty or non-string name, or on a field, is refused at once, as the twins are', () => {
    for (const [name, reason] of [['', 'must not be empty'], [5, 'must be a string']] as const) {
      const error = (() => {
        try {
          class Named {
            @Activity({ name: name as string }) async a(): Promise<void> {}
          }
          return Named;
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, String(name)).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ subject: '@Activity on Named.a', path: 'name' });
      expect((error as Error).message).toContain(reason);
    }
    const onField = (() => {
      try {
        class Field {
          // @ts-expect-error a decorator of methods on a field
          @Activity() run = async (): Promise<void> => undefined;
        }
        return Field;
      } catch (caught) {
        return caught;
      }
    })();
    expect(onField).toBeInstanceOf(InvalidOptionsError);
    expect((onField as Error).message).toContain('only methods can be decorated');
  });

  it('decorating a static method is refused at once', () => {
    expect(() => {
      class Static {
        @Activity() static async x(): Promise<void> {}
      }
      return Static;
    }).toThrow(InvalidOptionsError);
  });

  it('a workflow called outside any workflow with no engine started says what it is', async () => {
    const twin = registerWorkflow('outside.twin', async () => 1);
    await expect(twin()).rejects.toThrow('The registered workflow function "outside.twin" was called outside any workflow, but no Tempolite engine is started');
    class Outside {
      @Workflow({ name: 'outside.method' }) async run(): Promise<number> {
        return 1;
      }
    }
    await expect(new Outside().run()).rejects.toThrow(/^A @Workflow method was called outside any workflow/);
  });

  it('code compiled with standard (TC39) decorators is refused at once, saying to enable experimentalDecorators', () => {
    const standard = Activity() as unknown as (value: unknown, context: unknown) => void;
    let error: unknown;
    try {
      standard(async () => 1, { kind: 'method', name: 'charge', static: false, private: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ subject: '@Activity on charge', path: 'decorators' });
    expect((error as Error).message).toContain('experimentalDecorators');
  });

  it('invalid engine options', () => {
    expect(() => new Tempolite({ durability: 'sometimes' as never })).toThrow(/durability/);
    expect(() => new Tempolite({ queues: { q: { concurrency: 0 } } })).toThrow(/queues\.q\.concurrency/);
    expect(() => new Tempolite({ databse: 'x' } as never)).toThrow(/databse/);
  });
});
