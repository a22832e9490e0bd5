import { describe, expectTypeOf, it } from 'vitest';
import { Activity, Workflow, registerWorkflow, workflowContext, type Tempolite, type WorkflowHandle } from '../../src/index.js';

/**
 * Type-level tests, run by `vitest run` through its typecheck mode (tsc over
 * test/**\/*.test-d.ts). Nothing here executes: each `@ts-expect-error` line
 * must be a compile error, each `expectTypeOf` must hold.
 */

interface Order {
  id: string;
  total: number;
}

class Orders {
  @Activity() async charge(total: number): Promise<string> {
    return `ch-${total}`;
  }
  @Workflow() async place(order: Order, express: boolean): Promise<{ orderId: string; chargeId: string }> {
    return { orderId: order.id, chargeId: await this.charge(express ? order.total + 5 : order.total) };
  }
  @Workflow() async count(): Promise<number> {
    return 1;
  }
  /** Not a workflow candidate: it does not return a promise. */
  label(): string {
    return 'orders';
  }
}

const greet = registerWorkflow('types.greet', async (name: string, times: number): Promise<string[]> => Array.from({ length: times }, () => name));

declare const engine: Tempolite;
const order: Order = { id: 'o-1', total: 10 };

describe('engine.startWorkflow(Class, method, args)', () => {
  it('types the handle with the method\'s resolved return type', async () => {
    const handle = await engine.startWorkflow(Orders, 'place', [order, true], { id: 'o-1' });
    expectTypeOf(handle).toEqualTypeOf<WorkflowHandle<{ orderId: string; chargeId: string }>>();
    expectTypeOf(handle.result()).resolves.toEqualTypeOf<{ orderId: string; chargeId: string }>();
    expectTypeOf(await engine.startWorkflow(Orders, 'count', [])).toEqualTypeOf<WorkflowHandle<number>>();
  });

  it('accepts only the names of async methods', () => {
    // @ts-expect-error: no such method
    void engine.startWorkflow(Orders, 'plac', [order, true]);
    // @ts-expect-error: `label` does not return a promise, so it cannot be a workflow
    void engine.startWorkflow(Orders, 'label', []);
  });

  it('checks argument types and arity', () => {
    // @ts-expect-error: total must be a number
    void engine.startWorkflow(Orders, 'place', [{ id: 'o-1', total: '10' }, true]);
    // @ts-expect-error: express must be a boolean
    void engine.startWorkflow(Orders, 'place', [order, 'yes']);
    // @ts-expect-error: one argument missing
    void engine.startWorkflow(Orders, 'place', [order]);
    // @ts-expect-error: one argument too many
    void engine.startWorkflow(Orders, 'place', [order, true, 1]);
    // @ts-expect-error: arguments go in an array
    void engine.startWorkflow(Orders, 'place', order);
    // @ts-expect-error: `count` takes no arguments
    void engine.startWorkflow(Orders, 'count', [1]);
  });

  it('takes a readonly arguments tuple (`as const`) as well', () => {
    const args = [order, true] as const;
    void engine.startWorkflow(Orders, 'place', args);
    void engine.startWorkflow(greet, ['ana', 2] as const);
    // @ts-expect-error: still checked: express must be a boolean
    void engine.startWorkflow(Orders, 'place', [order, 'yes'] as const);
  });
});

describe('engine.startWorkflow(registeredFunction, args)', () => {
  it('types the handle with the function\'s resolved return type', async () => {
    const handle = await engine.startWorkflow(greet, ['ana', 2], { id: 'g-1' });
    expectTypeOf(handle).toEqualTypeOf<WorkflowHandle<string[]>>();
    expectTypeOf(handle.result()).resolves.toEqualTypeOf<string[]>();
  });

  it('checks argument types and arity', () => {
    // @ts-expect-error: times must be a number
    void engine.startWorkflow(greet, ['ana', '2']);
    // @ts-expect-error: one argument missing
    void engine.startWorkflow(greet, ['ana']);
    // @ts-expect-error: one argument too many
    void engine.startWorkflow(greet, ['ana', 2, true]);
  });

  it('keeps the function callable with its own signature', () => {
    expectTypeOf(greet).parameters.toEqualTypeOf<[string, number]>();
    expectTypeOf(greet).returns.resolves.toEqualTypeOf<string[]>();
    expectTypeOf(greet.durableName).toEqualTypeOf<string>();
  });
});

describe('getHandle', () => {
  it('is typed by the caller, unknown by default', () => {
    expectTypeOf(engine.getHandle('o-1')).resolves.toEqualTypeOf<WorkflowHandle<unknown>>();
    expectTypeOf(engine.getHandle<number>('o-1')).resolves.toEqualTypeOf<WorkflowHandle<number>>();
  });
});

describe('scheduled workflows', () => {
  it('a scheduled method takes the tick (a Date) or nothing; one that takes other arguments does not compile', () => {
    class Reports {
      @Workflow({ schedule: '@daily' }) async daily(scheduledAt: Date): Promise<string> {
        return scheduledAt.toISOString();
      }
      @Workflow({ schedule: { cron: '0 * * * *' } }) async hourly(): Promise<void> {}
      // @ts-expect-error a scheduled workflow gets a Date, not a name and a count
      @Workflow({ schedule: '@daily' }) async wrong(name: string, n: number): Promise<string> {
        return name.repeat(n);
      }
    }
    expectTypeOf(Reports).toBeConstructibleWith();
    const tick = registerWorkflow('types.tick', async (at: Date) => at.getTime(), { schedule: '* * * * *' });
    expectTypeOf(tick).parameters.toEqualTypeOf<[at: Date]>();
    // @ts-expect-error a scheduled function gets a Date, not a string
    registerWorkflow('types.badTick', async (name: string) => name, { schedule: '* * * * *' });
  });
});

describe('workflowContext().child()', () => {
  it('types a class method child and a registerWorkflow child by their parameters and result', async () => {
    const ctx = workflowContext();
    expectTypeOf(ctx.child(Orders, 'place', [order, false], { id: 'p' })).resolves.toEqualTypeOf<{ orderId: string; chargeId: string }>();
    expectTypeOf(ctx.child(greet, ['ana', 2], { queue: 'q' })).resolves.toEqualTypeOf<string[]>();
    // @ts-expect-error greet's second argument is a number
    void ctx.child(greet, ['ana', 'twice']);
    // @ts-expect-error a method name goes with a class, not a registered function
    void ctx.child(greet, 'run', ['ana', 2]);
  });
});

describe('continueAsNew', () => {
  it("checks its arguments against the workflow method given as its type parameter; unchecked without one", () => {
    class Poller {
      @Workflow() async run(round: number, label: string): Promise<string> {
        const ctx = workflowContext();
        if (round > 3) return label;
        // @ts-expect-error the next generation's round is a number
        void ctx.continueAsNew<Poller['run']>('not a number', label);
        // @ts-expect-error run takes two arguments
        void ctx.continueAsNew<Poller['run']>(round + 1);
        void ctx.continueAsNew('anything', 42, true);
        return ctx.continueAsNew<Poller['run']>(round + 1, label);
      }
    }
    expectTypeOf(Poller).toBeConstructibleWith();
  });
});

describe('the engine\'s surface', () => {
  it('leaves a workflow\'s reads to its handle', async () => {
    const handle = await engine.getHandle<number>('w-1');
    expectTypeOf(handle.result()).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error describe a workflow through its handle
    void engine.describe('w-1');
    // A handle's status(), not the engine's.
    expectTypeOf(engine).not.toHaveProperty('status');
    // @ts-expect-error a handle's result(), not the engine's
    void engine.waitForResult('w-1');
    void engine.signal('w-1', 'approve');
  });
});
