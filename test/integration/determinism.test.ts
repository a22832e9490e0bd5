import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, NonDeterminismError, SideEffect, Workflow, WorkflowFailure } from '../../src/index.js';
import { startEngine } from '../helpers/engine.js';
import { tempDatabase } from '../helpers/temp-db.js';

const ran: string[] = [];
let gateBroken = true;

/** The code as first deployed: a, then b, then a gate that fails until fixed. */
class FlowV1 {
  @Activity({ name: 'det.a' }) async a(): Promise<string> {
    ran.push('a');
    return 'A';
  }
  @Activity({ name: 'det.b' }) async b(): Promise<string> {
    ran.push('b');
    return 'B';
  }
  @Activity({ name: 'det.gate', retry: { maxAttempts: 1 } }) async gate(): Promise<string> {
    ran.push('gate');
    if (gateBroken) throw new Error('gate closed');
    return 'G';
  }
  @Workflow({ name: 'det.flow' }) async flow(): Promise<string> {
    const a = await this.a();
    const b = await this.b();
    return a + b + (await this.gate());
  }
}

/** The next deployment swaps the two differently named steps. */
class FlowV2 {
  @Activity({ name: 'det.a' }) async a(): Promise<string> {
    ran.push('a');
    return 'A';
  }
  @Activity({ name: 'det.b' }) async b(): Promise<string> {
    ran.push('b');
    return 'B';
  }
  @Activity({ name: 'det.gate', retry: { maxAttempts: 1 } }) async gate(): Promise<string> {
    ran.push('gate');
    return 'G';
  }
  @Workflow({ name: 'det.flow' }) async flow(): Promise<string> {
    const b = await this.b();
    const a = await this.a();
    return a + b + (await this.gate());
  }
}

/** A deployment that turned the activity `det.a` into a side effect under the same name. */
class FlowV3 {
  static swallow = false;
  @SideEffect({ name: 'det.a' }) async a(): Promise<string> {
    ran.push('a as side effect');
    return 'A';
  }
  @Activity({ name: 'det.b' }) async b(): Promise<string> {
    ran.push('b');
    return 'B';
  }
  @Activity({ name: 'det.gate' }) async gate(): Promise<string> {
    ran.push('gate');
    return 'G';
  }
  @Workflow({ name: 'det.flow' }) async flow(): Promise<string> {
    let a = 'lost';
    try {
      a = await this.a();
    } catch (error) {
      if (!FlowV3.swallow) throw error;
    }
    return a + (await this.b()) + (await this.gate());
  }
}

describe('step identity across deployments', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function failWithV1(id: string): Promise<string> {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    ran.length = 0;
    gateBroken = true;
    const first = await startEngine({ register: [FlowV1] }, temp.file);
    const handle = await first.engine.startWorkflow(FlowV1, 'flow', [], { id });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailure);
    await first.engine.close();
    expect(ran).toEqual(['a', 'b', 'gate']);
    return temp.file;
  }

  it('swapping the order of two differently named steps does not break resume', async () => {
    const file = await failWithV1('det-1');
    const second = await startEngine({ register: [FlowV2] }, file);
    cleanups.push(second.dispose);
    const handle = await second.engine.retry('det-1');
    expect(await handle.result()).toBe('ABG');
    expect(ran).toEqual(['a', 'b', 'gate', 'gate']);
  });

  it('a different kind at a recorded step id raises NonDeterminismError with its ids', async () => {
    const file = await failWithV1('det-2');
    const second = await startEngine({ register: [FlowV3] }, file);
    cleanups.push(second.dispose);
    const handle = await second.engine.retry('det-2');
    const failure = (await handle.result().catch((e: unknown) => e)) as WorkflowFailure;
    expect(failure).toBeInstanceOf(WorkflowFailure);
    const cause = failure.cause as NonDeterminismError;
    expect(cause).toBeInstanceOf(NonDeterminismError);
    expect(cause).toMatchObject({
      code: 'TEMPOLITE_NON_DETERMINISM',
      workflowId: 'det-2',
      stepId: 'det.a#0',
      expected: { kind: 'sideEffect', name: 'det.a' },
      recorded: { kind: 'activity', name: 'det.a' },
    });
    expect(ran).toEqual(['a', 'b', 'gate']);
    expect(await handle.status()).toBe('failed');
  });

  it('a body that catches the non-determinism error still fails', async () => {
    const file = await failWithV1('det-3');
    FlowV3.swallow = true;
    const second = await startEngine({ register: [FlowV3] }, file);
    cleanups.push(second.dispose);
    const handle = await second.engine.retry('det-3');
    const failure = (await handle.result().catch((e: unknown) => e)) as WorkflowFailure;
    expect(failure.cause).toBeInstanceOf(NonDeterminismError);
    expect(ran).toEqual(['a', 'b', 'gate']);
    FlowV3.swallow = false;
  });
});
