import { describe, expect, it } from 'vitest';
import { formatProgress, progressOf } from '../../src/client/progress.js';
import { WorkflowCancelledFailure } from '../../src/errors.js';
import type { StepDescription, WorkflowDescription } from '../../src/client/description.js';

function step(stepId: string, status: StepDescription['status']): StepDescription {
  return { id: stepId, stepId, kind: 'activity', name: stepId, status, generation: 0, attempts: 1, executions: [{ attempt: 1, status: 'interrupted' }] } as unknown as StepDescription;
}

/** The fields of a description that progress reads. */
function described(status: WorkflowDescription['status'], steps: StepDescription[]): WorkflowDescription {
  return { workflowId: 'w-1', status, generation: 0, steps, timers: [], children: [], signals: [] } as unknown as WorkflowDescription;
}

describe('progress of a workflow', () => {
  it('names the steps in flight while it runs', () => {
    const progress = progressOf(described('running', [step('shop.reserve#0', 'completed'), step('shop.charge#0', 'pending')]));
    expect(formatProgress(progress)).toBe('running · 1/2 steps done · now shop.charge#0 (attempt 1, pending)');
  });

  it('names none once finished: a step a cancel left pending runs no more', () => {
    const progress = progressOf(described('cancelled', [step('shop.reserve#0', 'completed'), step('shop.charge#0', 'pending')]));
    expect(progress).toMatchObject({ finished: true, current: [] });
    expect(formatProgress(progress)).toBe('cancelled · 1/2 steps done');
  });

  it('says when a cancelled workflow timed out (it reached its deadline), and not for a cancel by hand', () => {
    const deadline = new Date('2026-12-04T10:00:00.000Z');
    const timedOut = { ...described('cancelled', [step('shop.reserve#0', 'completed')]), error: new WorkflowCancelledFailure('w-1', 'shop.order', deadline) } as WorkflowDescription;
    expect(progressOf(timedOut)).toMatchObject({ timedOut: true });
    expect(formatProgress(progressOf(timedOut))).toBe('cancelled (timed out) · 1/1 steps done');
    const byHand = { ...described('cancelled', []), error: new WorkflowCancelledFailure('w-1', 'shop.order') } as WorkflowDescription;
    expect(progressOf(byHand)).not.toHaveProperty('timedOut');
    expect(formatProgress(progressOf(byHand))).toBe('cancelled · 0/0 steps done');
  });

  it('names the attempt under way as activityContext().attempt does: an interrupted one again, the next after a failure', () => {
    const runs = (status: StepDescription['status'], executions: { attempt: number; status: string; kind?: string }[]): string =>
      formatProgress(progressOf(described('running', [{ ...step('s#0', status), executions } as unknown as StepDescription])));
    expect(runs('running', [{ attempt: 1, status: 'interrupted' }, { attempt: 1, status: 'running' }])).toContain('s#0 (attempt 1)');
    expect(runs('retrying', [{ attempt: 1, status: 'failed' }, { attempt: 2, status: 'failed' }])).toContain('s#0 (attempt 3, retrying)');
    expect(runs('pending', [{ attempt: 2, status: 'failed' }])).toContain('s#0 (attempt 1, pending)');
    expect(runs('compensating', [{ attempt: 1, status: 'completed', kind: 'transaction' }, { attempt: 1, status: 'failed', kind: 'compensation' }])).toContain(
      's#0 (attempt 2, compensating)',
    );
  });
});
