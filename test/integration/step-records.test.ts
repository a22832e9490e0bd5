import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, SideEffect, Workflow, workflowContext } from '../../src/index.js';
import { queryRows } from '../helpers/db-rows.js';
import { startEngine } from '../helpers/engine.js';

/** Status of each recorded step of a workflow, as another connection sees it. */
async function recorded(database: string, workflowId: string): Promise<Record<string, string>> {
  const rows = await queryRows<{ stepId: string; status: string }>(
    database,
    `SELECT step_id AS "stepId", status FROM tempolite_activity_entity WHERE workflow_id = ?
     UNION ALL SELECT step_id AS "stepId", status FROM tempolite_side_effect_entity WHERE workflow_id = ?`,
    workflowId,
    workflowId,
  );
  return Object.fromEntries(rows.map((row) => [row.stepId, row.status]));
}

class Records {
  static database = '';
  static seen: Record<string, Record<string, string>> = {};

  @Activity({ name: 'records.first' }) async first(): Promise<number> {
    return 1;
  }

  @Activity({ name: 'records.look' }) async look(label: string): Promise<number> {
    Records.seen[label] = await recorded(Records.database, 'records-1');
    return 2;
  }

  @SideEffect({ name: 'records.lookAgain' }) async lookAgain(): Promise<number> {
    Records.seen.sideEffect = await recorded(Records.database, 'records-1');
    return 3;
  }

  @Workflow({ name: 'records.flow' }) async flow(): Promise<number> {
    const a = await this.first();
    // Body code, not a step: what it does with a step's result must not outlive that step's record.
    Records.seen.body = await recorded(Records.database, 'records-1');
    const b = await this.look('activity');
    const c = await this.lookAgain();
    const [d, e] = await Promise.all([this.first(), this.first()]);
    await workflowContext().sleep(1);
    const f = await this.look('afterSleep');
    return a + b + c + d + e + f;
  }
}

// As Temporal and DBOS do: a step's result reaches the body only once its record is committed, so whatever the body
// does with it (its own code, the next step, a side effect, a wait) never outlives that record. Group commit may
// delay the record; it must not be skipped (a commit shared with the body's end was tried in issue 7 and rejected).
describe('step records and what the body does next', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('the body, each step, side effect and wait go on only after the steps before them are recorded as completed', async () => {
    const started = await startEngine({ register: [Records] });
    dispose = started.dispose;
    Records.database = started.file;
    const handle = await started.engine.startWorkflow(Records, 'flow', [], { id: 'records-1' });
    expect(await handle.result()).toBe(1 + 2 + 3 + 1 + 1 + 2);
    expect(Records.seen.body).toEqual({ 'records.first#0': 'completed' });
    // The running step's own start may ride on its end's commit: only what came before it is asserted.
    expect(Records.seen.activity).toMatchObject({ 'records.first#0': 'completed' });
    expect(Records.seen.activity!['records.look#0']).not.toBe('completed');
    // A side effect is recorded once it has run, so it does not see itself.
    expect(Records.seen.sideEffect).toEqual({ 'records.first#0': 'completed', 'records.look#0': 'completed' });
    expect(Records.seen.afterSleep).toMatchObject({ 'records.first#1': 'completed', 'records.first#2': 'completed', 'records.lookAgain#0': 'completed' });
    const d = await handle.describe();
    expect(d.status).toBe('completed');
    // Sorted: the two parallel steps may be listed in either order.
    expect(d.steps.filter((step) => step.kind === 'activity').map((step) => [step.stepId, step.status]).sort()).toEqual([
      ['records.first#0', 'completed'],
      ['records.first#1', 'completed'],
      ['records.first#2', 'completed'],
      ['records.look#0', 'completed'],
      ['records.look#1', 'completed'],
    ]);
    expect(await recorded(started.file, 'records-1')).toMatchObject({ 'records.look#1': 'completed' });
  });
});
