import { printableLine } from './printable.js';
import type { AttemptDescription, SignalDescription, StepDescription, TimerDescription, WorkflowDescription } from './description.js';

const KIND_LABEL: Record<string, string> = { activity: 'Activity', sideEffect: 'SideEffect', saga: 'Saga' };

interface Node {
  readonly text: string;
  readonly children: readonly Node[];
}

/**
 * Draws a workflow's run as a tree, the way the design notes draw it:
 * Run → workflow → executions → the steps attempted in each (activities, side
 * effects, saga transactions and compensations), with status, attempts,
 * timings and errors; then the workflow's durable timers (sleeps, signal
 * deadlines) and signals; child workflows nest under their parent.
 */
export function formatRunTree(description: WorkflowDescription): string {
  const root: Node = { text: `Run ${description.run.id} · ${description.run.status}`, children: [workflowNode(description)] };
  return render(root, '', true, true).join('\n');
}

function workflowNode(w: WorkflowDescription): Node {
  const executions = w.executions.map((e): Node => {
    const steps = w.steps
      .map((step) => ({ step, attempts: step.executions.filter((a) => a.workflowExecutionId === e.id) }))
      .filter((entry) => entry.attempts.length > 0)
      // In the order they ran: compensations run latest step first, against the order the steps were created.
      .sort((a, b) => firstRun(a.attempts) - firstRun(b.attempts) || (a.attempts[0]!.id < b.attempts[0]!.id ? -1 : 1))
      .map((entry) => stepNode(entry.step, entry.attempts));
    const parts = [`Execution #${e.number}`, e.reason, e.status, e.status === 'running' && e.owner !== undefined ? `on ${e.owner}` : undefined, duration(e.durationMs), e.error ? errorText(e.error) : undefined];
    return { text: join(parts), children: steps };
  });
  const waits = [...w.timers.map(timerNode), ...w.signals.map(signalNode)];
  const undecodable = (w.undecodable ?? []).map((u): Node => ({ text: join([`Cannot decode ${u.path}`, errorText(u.error)]), children: [] }));
  const children = w.children.map(workflowNode);
  const header = join([`Workflow ${w.workflowId}`, w.name, w.status, w.generation > 0 ? `generation ${w.generation}` : undefined, w.queue !== 'default' ? `queue ${w.queue}` : undefined, w.deadline ? `deadline ${w.deadline.toISOString()}` : undefined, w.requested ? `${w.requested} asked` : undefined]);
  return { text: header, children: [...executions, ...waits, ...undecodable, ...children] };
}

function timerNode(t: TimerDescription): Node {
  const label = t.kind === 'sleep' ? `Sleep ${t.stepId}` : `Signal deadline ${t.stepId}`;
  return { text: join([label, t.generation > 0 ? `generation ${t.generation}` : undefined, t.status, timerWhen(t)]), children: [] };
}

/** What the timer's time means now: a sleep woke at it, a signal deadline the signal beat was never reached. */
function timerWhen(t: TimerDescription): string {
  const at = t.wakeAt.toISOString();
  if (t.status === 'pending') return `${t.kind === 'sleep' ? 'wakes' : 'deadline'} at ${at}`;
  if (t.status === 'cancelled') return `was due at ${at}`;
  if (t.kind === 'sleep') return `woke at ${at}`;
  return t.status === 'timed_out' ? `timed out at ${at}` : `signal came before the deadline at ${at}`;
}

function signalNode(s: SignalDescription): Node {
  const by = s.consumedGeneration !== undefined && s.consumedGeneration > 0 ? ` of generation ${s.consumedGeneration}` : '';
  const fate = s.consumedBy !== undefined ? `received by ${s.consumedBy}${by}` : 'buffered';
  return { text: join([`Signal "${s.name}"`, fate, `sent at ${s.sentAt.toISOString()}`]), children: [] };
}

function stepNode(step: StepDescription, attempts: readonly AttemptDescription[]): Node {
  const label = `${KIND_LABEL[step.kind] ?? step.kind} ${step.stepId}`;
  if (step.kind === 'sideEffect') {
    // One run per execution at most: what it did there (a failure a later round's run made good stays failed here).
    const run = attempts.at(-1);
    return { text: join([label, run?.status ?? step.status, duration(run?.durationMs), run?.error ? errorText(run.error) : undefined]), children: [] };
  }
  const children = attempts.map((a): Node => ({
    text: join([`${a.kind === 'compensation' ? 'compensation' : 'attempt'} ${a.attempt}`, a.status, duration(a.durationMs), a.error ? errorText(a.error) : undefined]),
    children: [],
  }));
  // A step retried by a later execution is listed under each: say which of its runs this one holds.
  const here = attempts.length < step.executions.length ? [`${attempts.length} in this execution`] : [];
  return { text: join([label, step.status, ...attemptCounts(step), ...here]), children };
}

/**
 * `n attempts`, and for a saga step whose compensation ran, `m compensation attempts` beside it. Runs cut
 * short (a crash, a close, a cancel) are not attempts, as for `maxAttempts`: they are counted apart.
 */
function attemptCounts(step: StepDescription): string[] {
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const counted = step.executions.filter((a) => a.status !== 'interrupted');
  const interrupted = step.executions.length - counted.length;
  const compensations = counted.filter((a) => a.kind === 'compensation').length;
  const parts = [plural(counted.length - compensations, 'attempt'), compensations > 0 ? plural(compensations, 'compensation attempt') : undefined];
  return [...parts, interrupted > 0 ? `${interrupted} interrupted` : undefined].filter((p): p is string => p !== undefined);
}

function firstRun(attempts: readonly AttemptDescription[]): number {
  return Math.min(...attempts.map((a) => a.startedAt.getTime()));
}

function errorText(error: Error): string {
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const root = inner as Error;
  return `${root.name}: ${root.message}`;
}

function duration(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : `${ms} ms`;
}

function join(parts: readonly (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined && p.length > 0).join(' · ');
}

function render(node: Node, prefix: string, last: boolean, isRoot: boolean): string[] {
  // Ids, names and error messages come from outside: shown as text, never as terminal commands or line breaks.
  const text = printableLine(node.text);
  const lines = [isRoot ? text : `${prefix}${last ? '└── ' : '├── '}${text}`];
  const childPrefix = isRoot ? '' : `${prefix}${last ? '    ' : '│   '}`;
  node.children.forEach((child, index) => lines.push(...render(child, childPrefix, index === node.children.length - 1, false)));
  return lines;
}
