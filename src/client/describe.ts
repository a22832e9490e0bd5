import { WorkflowNotFoundError } from '../errors.js';
import { reviveFailure } from '../engine/revive-failure.js';
import { SIGNAL_STEP } from '../engine/waits/signal-step.js';
import type { PayloadEncoder, PayloadLocation } from '../store/codec.js';
import type { AttemptRow, ExecutionRow, StepRow, WorkflowRow } from '../store/rows.js';
import { isTerminal, type StepKind } from '../store/statuses.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import { NO_DEADLINE, type SignalRow, type TimerRow } from '../store/wait-store.js';
import type {
  AttemptDescription,
  ExecutionDescription,
  SignalDescription,
  SignalWaitDescription,
  StepDescription,
  TimerDescription,
  UndecodablePayload,
  WorkflowDescription,
  WorkflowSummary,
} from './description.js';

/**
 * Decodes a description's payload fields; one the codec cannot read is left out and noted, so a workflow paused
 * because its payloads cannot be decoded can still be described (and the CLI show it without `--codec`).
 */
class FieldDecoder {
  readonly undecodable: UndecodablePayload[] = [];

  constructor(private readonly payloads: PayloadEncoder) {}

  field<K extends string>(key: K, text: string | null | undefined, where: PayloadLocation, path: string): { [P in K]?: unknown } {
    if (text == null) return {};
    try {
      return { [key]: this.payloads.decode(text, where) } as { [P in K]?: unknown };
    } catch (error) {
      this.undecodable.push({ path, error: error instanceof Error ? error : new Error(String(error)) });
      return {};
    }
  }
}

/** Reads a workflow, its executions, steps with attempts, and its children, and decodes their payloads. */
export async function describeWorkflow(store: WorkflowStore, payloads: PayloadEncoder, workflowId: string): Promise<WorkflowDescription> {
  const workflow = (await store.getWorkflow(workflowId));
  if (!workflow) throw new WorkflowNotFoundError(workflowId);
  const runRows = (await store.workflowsOfRun(workflow.runId));
  return await build(store, payloads, workflow, runRows);
}

async function build(store: WorkflowStore, payloads: PayloadEncoder, workflow: WorkflowRow, runRows: readonly WorkflowRow[]): Promise<WorkflowDescription> {
  const run = (await store.getRun(workflow.runId));
  const data = (await store.getWorkflowData(workflow.id));
  const where = { description: `payload of workflow "${workflow.id}"`, workflowId: workflow.id };
  const steps = (await store.stepsOf(workflow.id));
  const attempts = await loadAttempts(store, steps);
  // A compensating workflow keeps the cancel that started its compensations on its task: it is no request left.
  const requested = workflow.status === 'pending' || workflow.status === 'running' || workflow.status === 'waiting' ? await store.control.requestedControl(workflow.id) : undefined;
  const fields = new FieldDecoder(payloads);
  const input = fields.field('input', data?.input, where, 'input');
  const output = fields.field('output', data?.output, where, 'output');
  const stepDescriptions = steps.map((row) => step(payloads, fields, row, attempts.get(row.id) ?? []));
  const signals = (await store.waits.signalsOf(workflow.id)).map((row) => signal(fields, row));
  const timerRows = await store.waits.timersOf(workflow.id);
  // The waits its current generation is in (a wait a body left behind when it ended, or continued as new, is none).
  const waiting = isTerminal(workflow.status) ? [] : timerRows.filter((row) => row.status === 'pending' && row.signalNames !== null && row.generation === workflow.generation);
  return {
    run: { id: workflow.runId, status: run?.status ?? workflow.status, rootWorkflowId: run?.rootWorkflowId ?? workflow.id, createdAt: new Date(run?.createdAt ?? workflow.createdAt) },
    workflowId: workflow.id,
    name: workflow.name,
    queue: workflow.queue,
    status: workflow.status,
    generation: workflow.generation,
    ...(workflow.parentId !== null ? { parentId: workflow.parentId } : {}),
    ...input,
    ...output,
    ...(data?.error != null ? { error: reviveFailure(payloads.decodeError(data.error)) } : {}),
    createdAt: new Date(workflow.createdAt),
    ...(workflow.completedAt !== null ? { completedAt: new Date(workflow.completedAt) } : {}),
    ...deadlineOf(workflow),
    ...(requested !== undefined ? { requested } : {}),
    executions: (await store.executionsOf(workflow.id)).map((row) => execution(payloads, row)),
    steps: stepDescriptions,
    children: await Promise.all(childrenOf(workflow.id, runRows).map((child) => build(store, payloads, child, runRows))),
    // A signal wait without a timeout leaves a row with no deadline: no timer to show, but a wait.
    timers: timerRows.filter((row) => row.wakeAt !== NO_DEADLINE).map(timer),
    signals,
    signalWaits: waiting.map(signalWait),
    ...(fields.undecodable.length > 0 ? { undecodable: fields.undecodable } : {}),
  };
}

/**
 * A workflow's children in the order they were started: by creation time, then, for those of one millisecond
 * (a fan-out), by id with its numbers compared as numbers (`#2` before `#10`, as their step ids were given).
 */
function childrenOf(parentId: string, runRows: readonly WorkflowRow[]): WorkflowRow[] {
  return runRows
    .filter((row) => row.parentId === parentId)
    .sort((a, b) => Number(a.createdAt) - Number(b.createdAt) || a.id.localeCompare(b.id, 'en', { numeric: true }));
}

function timer(row: TimerRow): TimerDescription {
  const kind = row.stepId.startsWith(SIGNAL_STEP) ? 'signal' : 'sleep';
  return {
    stepId: row.stepId,
    kind,
    generation: Number(row.generation),
    status: row.status,
    wakeAt: new Date(Number(row.wakeAt)),
    ...(row.signalNames !== null ? { signals: JSON.parse(row.signalNames) as string[] } : {}),
  };
}

function signalWait(row: TimerRow): SignalWaitDescription {
  return {
    stepId: row.stepId,
    generation: Number(row.generation),
    signals: JSON.parse(row.signalNames ?? '[]') as string[],
    ...(row.wakeAt !== NO_DEADLINE ? { deadline: new Date(Number(row.wakeAt)) } : {}),
  };
}

function signal(fields: FieldDecoder, row: SignalRow): SignalDescription {
  const where = { description: `payload of signal "${row.name}"`, workflowId: row.workflowId };
  return {
    id: row.id,
    name: row.name,
    ...fields.field('payload', row.payload, where, `signals[${row.id}].payload`),
    sentAt: new Date(row.createdAt),
    ...(row.consumedAt !== null ? { consumedAt: new Date(row.consumedAt) } : {}),
    ...(row.consumedStepId !== null ? { consumedBy: row.consumedStepId } : {}),
    ...(row.consumedGeneration !== null ? { consumedGeneration: Number(row.consumedGeneration) } : {}),
    ...(row.idempotencyKey !== null ? { idempotencyKey: row.idempotencyKey } : {}),
  };
}

async function loadAttempts(store: WorkflowStore, steps: readonly StepRow[]): Promise<Map<string, AttemptRow[]>> {
  const byStep = new Map<string, AttemptRow[]>();
  for (const kind of ['activity', 'sideEffect', 'saga'] as StepKind[]) {
    const ids = steps.filter((s) => s.kind === kind).map((s) => s.id);
    if (ids.length === 0) continue;
    for (const attempt of (await store.attemptsOf(kind, ids))) {
      const list = byStep.get(attempt.stepEntityId) ?? [];
      list.push(attempt);
      byStep.set(attempt.stepEntityId, list);
    }
  }
  return byStep;
}

function timing(startedAt: number, endedAt: number | null): { startedAt: Date; endedAt?: Date; durationMs?: number } {
  return { startedAt: new Date(startedAt), ...(endedAt !== null ? { endedAt: new Date(endedAt), durationMs: endedAt - startedAt } : {}) };
}

function execution(payloads: PayloadEncoder, row: ExecutionRow): ExecutionDescription {
  return {
    id: row.id,
    number: row.attempt,
    generation: row.generation,
    reason: row.reason,
    status: row.status,
    ...(row.error !== null ? { error: reviveFailure(payloads.decodeError(row.error)) } : {}),
    ...(row.owner !== null ? { owner: row.owner } : {}),
    ...timing(row.startedAt, row.endedAt),
  };
}

function step(payloads: PayloadEncoder, fields: FieldDecoder, row: StepRow, attempts: readonly AttemptRow[]): StepDescription {
  const where = { description: `payload of step "${row.stepId}"`, stepId: row.stepId };
  const executions = attempts.map(
    (a): AttemptDescription => ({
      id: a.id,
      attempt: a.attempt,
      ...(a.kind !== null ? { kind: a.kind } : {}),
      status: a.status,
      workflowExecutionId: a.workflowExecutionId,
      ...(a.error !== null ? { error: reviveFailure(payloads.decodeError(a.error)) } : {}),
      ...timing(a.startedAt, a.endedAt),
    }),
  );
  return {
    id: row.id,
    stepId: row.stepId,
    kind: row.kind,
    name: row.name,
    status: row.status,
    generation: row.generation,
    attempts: executions.length,
    ...fields.field('input', row.input, where, `steps[${row.stepId}].input`),
    ...fields.field('output', row.output, where, `steps[${row.stepId}].output`),
    ...(row.error !== null ? { error: reviveFailure(payloads.decodeError(row.error)) } : {}),
    ...compensationError(row, executions),
    executions,
  };
}

/** Sagas: what the compensation threw when it gave up (its last failed attempt). */
function compensationError(row: StepRow, executions: readonly AttemptDescription[]): { compensationError?: Error } {
  if (row.status !== 'compensation_failed') return {};
  const error = executions.filter((e) => e.kind === 'compensation' && e.error !== undefined).at(-1)?.error;
  return error === undefined ? {} : { compensationError: error };
}

/** A list row from a stored workflow. */
export function summarize(row: WorkflowRow): WorkflowSummary {
  return {
    workflowId: row.id,
    runId: row.runId,
    name: row.name,
    queue: row.queue,
    status: row.status,
    ...(row.parentId !== null ? { parentId: row.parentId } : {}),
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    ...(row.completedAt !== null ? { completedAt: new Date(row.completedAt) } : {}),
    ...deadlineOf(row),
  };
}

/** PostgreSQL hands a bigint back as text. */
function deadlineOf(row: WorkflowRow): { deadline?: Date } {
  return row.deadlineAt == null ? {} : { deadline: new Date(Number(row.deadlineAt)) };
}
