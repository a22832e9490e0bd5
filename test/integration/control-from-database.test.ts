import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, Workflow, WorkflowCancelledFailure, WorkflowFailure, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { execute } from '../helpers/db-rows.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';

class Looper {
  static ticks = 0;
  @Activity({ name: 'looper.tick' }) async tick(n: number): Promise<number> {
    Looper.ticks += 1;
    return n;
  }
  @Workflow({ name: 'looper.run' }) async run(rounds: number): Promise<number> {
    for (let n = 0; n < rounds; n++) {
      await this.tick(n);
      await workflowContext().sleep(5);
    }
    return rounds;
  }
  @Workflow({ name: 'looper.wait' }) async wait(): Promise<string> {
    return (await workflowContext().waitForSignal<string>('never')).payload;
  }
}

/** What another process (a CLI, an admin tool) does: writes the request on the task directly. */
function writeRequest(file: string, workflowId: string, action: 'cancel' | 'pause'): Promise<void> {
  return execute(
    file,
    `UPDATE tempolite_task SET control = ?, wakeups = wakeups + 1, available_at = CASE WHEN owner IS NULL THEN ? ELSE available_at END WHERE workflow_id = ?`,
    action,
    Date.now(),
    workflowId,
  );
}

describe('cancel and pause recorded in the database by another process', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('a running body notices a recorded pause at a step boundary within a poll interval', async () => {
    const started = await startEngine({ register: [Looper] });
    dispose = started.dispose;
    Looper.ticks = 0;
    const handle = await started.engine.startWorkflow(Looper, 'run', [100_000], { id: 'looping' });
    await eventually(() => Looper.ticks >= 3, 'a few rounds');
    await writeRequest(started.file, 'looping', 'pause');
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    expect((await handle.describe()).executions.map((x) => x.status)).toEqual(['paused']);
    expect(await checkConsistency(started.file)).toEqual([]);
    await handle.cancel();
  });

  it('a recorded cancel is applied when the workflow is claimed, before its body is entered', async () => {
    const started = await startEngine({ register: [Looper] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Looper, 'wait', [], { id: 'waiting' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the wait');
    await writeRequest(started.file, 'waiting', 'cancel');
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    expect((error as WorkflowFailure).cause).toBeInstanceOf(WorkflowCancelledFailure);
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'suspended']]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
