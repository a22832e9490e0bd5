import { printableLine } from './printable.js';
import type { StepDescription, WorkflowDescription } from './description.js';
import { WorkflowCancelledFailure } from '../errors.js';
import { isTerminal } from '../store/statuses.js';

/** Where a workflow stands, for people watching it: which step, how many done. */
export interface Progress {
  readonly workflowId: string;
  readonly status: string;
  /** Whether the workflow has finished (it will not change by itself any more). */
  readonly finished: boolean;
  /** Present (true) when it was cancelled because it reached its deadline: `cancelled`, or `compensated` after that cancel. */
  readonly timedOut?: true;
  /** Steps (activities, side effects, saga steps) of the current generation that completed. */
  readonly stepsDone: number;
  /** Steps of the current generation recorded so far (later steps are not known until the body reaches them). */
  readonly stepsSeen: number;
  /** Steps in flight: running, retrying, compensating, with their attempt counts (none once finished: a step a cancel left `pending` runs no more). */
  readonly current: readonly string[];
  /** What a waiting workflow waits for, when it waits. */
  readonly waitingFor?: string;
  /** Child workflows finished, of those started. */
  readonly children: { readonly finished: number; readonly total: number };
}

const IN_FLIGHT = new Set(['pending', 'running', 'retrying', 'compensating']);

/** The progress of a described workflow. */
export function progressOf(d: WorkflowDescription): Progress {
  const steps = d.steps.filter((step) => step.generation === d.generation);
  const finished = isTerminal(d.status);
  const current = finished ? [] : steps.filter((step) => IN_FLIGHT.has(step.status)).map(inFlight);
  const waitingFor = d.status === 'waiting' ? waitReason(d) : undefined;
  const timedOut = finished && d.error instanceof WorkflowCancelledFailure && d.error.timedOut;
  return {
    workflowId: d.workflowId,
    status: d.status,
    finished,
    ...(timedOut ? { timedOut: true as const } : {}),
    stepsDone: steps.filter((step) => step.status === 'completed' || step.status === 'compensated').length,
    stepsSeen: steps.length,
    current,
    ...(waitingFor !== undefined ? { waitingFor } : {}),
    children: { finished: d.children.filter((child) => isTerminal(child.status)).length, total: d.children.length },
  };
}

/** One line: `running · 3/4 steps done · now demo.chargeCard#0 (attempt 2, retrying)`. */
export function formatProgress(p: Progress): string {
  const parts = [p.timedOut ? `${p.status} (timed out)` : p.status, `${p.stepsDone}/${p.stepsSeen} steps done`];
  if (p.current.length > 0) parts.push(`now ${p.current.join(', ')}`);
  if (p.waitingFor !== undefined) parts.push(`waiting for ${p.waitingFor}`);
  if (p.children.total > 0) parts.push(`${p.children.finished}/${p.children.total} child workflows finished`);
  return printableLine(parts.join(' · '));
}

function inFlight(step: StepDescription): string {
  const detail = [`attempt ${currentAttempt(step)}`];
  if (step.status !== 'running') detail.push(step.status);
  return `${step.stepId} (${detail.join(', ')})`;
}

/**
 * The attempt under way or next, as `activityContext().attempt` numbers it: a run cut short (`interrupted`) is
 * run again under its number, a failed one is followed by the next, and a fresh round (a workflow retry) starts
 * at 1. A compensating saga step counts its compensation attempts.
 */
function currentAttempt(step: StepDescription): number {
  const compensating = step.status === 'compensating';
  const last = step.executions.filter((a) => (a.kind === 'compensation') === compensating).at(-1);
  if (last === undefined) return 1;
  if (last.status === 'failed') return step.status === 'retrying' || compensating ? last.attempt + 1 : 1;
  return last.attempt;
}

function waitReason(d: WorkflowDescription): string {
  const timer = d.timers.find((t) => t.status === 'pending');
  if (timer?.kind === 'sleep') return `a sleep until ${timer.wakeAt.toISOString()}`;
  const unfinished = d.children.filter((child) => !isTerminal(child.status));
  if (unfinished.length > 0) return `${unfinished.length} child workflow${unfinished.length === 1 ? '' : 's'}`;
  const wait = d.signalWaits[0];
  if (wait !== undefined) return `signal ${wait.signals.map((name) => JSON.stringify(name)).join(' or ')}${wait.deadline === undefined ? '' : ` (until ${wait.deadline.toISOString()})`}`;
  if (timer?.kind === 'signal') return `a signal (until ${timer.wakeAt.toISOString()})`;
  const retrying = d.steps.find((step) => step.status === 'retrying');
  if (retrying) return `the next attempt of ${retrying.stepId}`;
  return 'a signal';
}
