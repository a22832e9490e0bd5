import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { AttemptEnd, AttemptStart, WorkflowStore } from '../../src/store/workflow-store.js';
import { WriteGuard } from '../../src/store/write-guard.js';
import { queryRows } from '../helpers/db-rows.js';
import { tempDatabase } from '../helpers/test-store.js';

const OWNER = 'worker-1';

// A body goes on from a quick step's outcome before its commit; the execution's end rides the same commit (issue 7).
describe('an execution end that depends on an uncommitted step write', () => {
  let db: ReturnType<typeof tempDatabase>;
  let store: WorkflowStore;
  let release: () => void;

  beforeEach(async () => {
    db = tempDatabase();
    const opened = await openStore({ database: db.file, synchronous: 'normal', busyTimeoutMs: 5000 });
    store = opened.store;
    release = opened.release;
    await store.createWorkflow({ id: 'wf', runId: 'run-wf', newRun: true, name: 'flow', queue: 'q', priority: 0, input: '{"json":[]}', now: 1 });
    expect(await store.claimTasks('q', OWNER, 1, ['flow'], 2, 60_000)).toEqual(['wf']);
    await store.beginExecution({ id: 'exec-1', workflowId: 'wf', generation: 0, attempt: 1, reason: 'start', owner: OWNER, now: 3 });
  });

  afterEach(async () => {
    await store.close();
    release();
    await db.cleanup();
  });

  function step(entityId: string, attemptId: string, stepId: string, guard: WriteGuard): { start: AttemptStart; end: AttemptEnd } {
    const start: AttemptStart = {
      kind: 'activity',
      stepEntityId: entityId,
      create: { workflowId: 'wf', generation: 0, stepId, name: 'act', input: '{"json":[1]}' },
      attemptId,
      workflowExecutionId: 'exec-1',
      attempt: 1,
      now: 4,
    };
    const end: AttemptEnd = { kind: 'activity', stepEntityId: entityId, attemptId, attemptStatus: 'completed', stepStatus: 'completed', attempts: 0, output: '{"json":2}', guard, now: 5 };
    return { start, end };
  }

  /** Queues a step's start and end and the execution's completed end in one turn, as a body that ends right after a quick step does. */
  function stepThenEnd(entityId: string, stepId: string): { stepWritten: Promise<void>; ended: Promise<void> } {
    const guard = new WriteGuard();
    const { start, end } = step(entityId, `attempt-${entityId}`, stepId, guard);
    const started = store.beginAttempt(start);
    const stepEnded = store.endAttempt(end);
    guard.follow(started);
    guard.follow(stepEnded);
    const stepWritten = Promise.all([started, stepEnded]).then(() => undefined);
    const ended = store.endExecution({ workflowId: 'wf', executionId: 'exec-1', executionStatus: 'completed', workflowStatus: 'completed', output: '{"json":2}', parentId: null, requires: [guard], now: 6 });
    return { stepWritten, ended };
  }

  const workflowStatus = async (): Promise<string> => (await queryRows<{ status: string }>(db.file, `SELECT status FROM tempolite_workflow_entity WHERE id = 'wf'`))[0]!.status;
  const steps = async (): Promise<{ id: string; status: string; output: string | null }[]> =>
    queryRows(db.file, `SELECT e.id, e.status, d.output FROM tempolite_activity_entity e JOIN tempolite_activity_data d ON d.activity_id = e.id WHERE e.workflow_id = 'wf' ORDER BY e.id`);

  it('writes the step and the end together when the step is written', async () => {
    const { stepWritten, ended } = stepThenEnd('step-a', 'act#0');
    await Promise.all([stepWritten, ended]);
    expect(await workflowStatus()).toBe('completed');
    expect(await steps()).toEqual([{ id: 'step-a', status: 'completed', output: '{"json":2}' }]);
  });

  it('refuses the end, with the step write\'s own error, when that write fails in the same batch; the rest of the batch and the database stay as they were', async () => {
    // A step recorded before at the same step id: the second record breaks the unique (workflow, generation, step) key.
    const first = step('step-a', 'attempt-a', 'act#0', new WriteGuard());
    await Promise.all([store.beginAttempt(first.start), store.endAttempt(first.end)]);
    const other = store.createWorkflow({ id: 'other', runId: 'run-other', newRun: true, name: 'flow', queue: 'q', priority: 0, input: '{"json":[]}', now: 5 });
    const { stepWritten, ended } = stepThenEnd('step-b', 'act#0');
    const [stepOutcome, endOutcome, otherOutcome] = await Promise.allSettled([stepWritten, ended, other]);
    expect(stepOutcome.status).toBe('rejected');
    expect(endOutcome.status).toBe('rejected');
    expect(String((endOutcome as PromiseRejectedResult).reason)).toBe(String((stepOutcome as PromiseRejectedResult).reason));
    // A write of the same batch that depends on nothing still commits.
    expect(otherOutcome.status).toBe('fulfilled');
    expect(await workflowStatus()).toBe('running');
    expect(await steps()).toEqual([{ id: 'step-a', status: 'completed', output: '{"json":2}' }]);
    const executions = await queryRows<{ status: string }>(db.file, `SELECT status FROM tempolite_workflow_execution WHERE workflow_id = 'wf'`);
    expect(executions).toEqual([{ status: 'running' }]);
    const tasks = await queryRows<{ owner: string | null }>(db.file, `SELECT owner FROM tempolite_task WHERE workflow_id = 'wf'`);
    expect(tasks).toEqual([{ owner: OWNER }]);
  });

  it('refuses an end queued after a step write that failed in an earlier commit', async () => {
    const first = step('step-a', 'attempt-a', 'act#0', new WriteGuard());
    await Promise.all([store.beginAttempt(first.start), store.endAttempt(first.end)]);
    const guard = new WriteGuard();
    const { start, end } = step('step-b', 'attempt-b', 'act#0', guard);
    const written = Promise.all([store.beginAttempt(start), store.endAttempt(end)]);
    guard.follow(written);
    await expect(written).rejects.toThrow();
    await expect(
      store.endExecution({ workflowId: 'wf', executionId: 'exec-1', executionStatus: 'completed', workflowStatus: 'completed', output: '{"json":2}', parentId: null, requires: [guard], now: 6 }),
    ).rejects.toThrow();
    expect(await workflowStatus()).toBe('running');
  });
});
