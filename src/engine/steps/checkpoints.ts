import { ActivityFailure, NonDeterminismError } from '../../errors.js';
import type { CheckpointRow, ChildRow } from '../../store/rows.js';
import type { StepKind } from '../../store/statuses.js';

/** The recorded steps of one generation, by step id. */
export class Checkpoints {
  private readonly byId = new Map<string, CheckpointRow>();
  private readonly children = new Map<string, ChildRow>();
  /** Step ids the body has called in this execution. */
  private readonly reached = new Set<string>();

  constructor(rows: readonly CheckpointRow[], children: readonly ChildRow[] = []) {
    for (const row of rows) this.byId.set(row.stepId, row);
    for (const child of children) this.children.set(child.parentStepId, child);
  }

  /**
   * The child workflow started at `stepId`, checked against what the code calls there.
   * @throws NonDeterminismError when a step or another workflow was recorded at that id
   */
  childAt(workflowId: string, stepId: string, name: string): ChildRow | undefined {
    this.reached.add(stepId);
    const step = this.byId.get(stepId);
    if (step) throw new NonDeterminismError(workflowId, stepId, { kind: 'workflow', name }, { kind: step.kind, name: step.name });
    const child = this.children.get(stepId);
    if (child && child.name !== name) throw new NonDeterminismError(workflowId, stepId, { kind: 'workflow', name }, { kind: 'workflow', name: child.name });
    return child;
  }

  /** Records a child started during this execution. */
  setChild(child: ChildRow): void {
    this.children.set(child.parentStepId, child);
  }

  /**
   * The checkpoint at `stepId`, checked against what the code calls there.
   * @throws NonDeterminismError when the recorded kind or name differs
   */
  at(workflowId: string, stepId: string, kind: StepKind, name: string): CheckpointRow | undefined {
    this.reached.add(stepId);
    const child = this.children.get(stepId);
    if (child) throw new NonDeterminismError(workflowId, stepId, { kind, name }, { kind: 'workflow', name: child.name });
    const row = this.byId.get(stepId);
    if (row && (row.kind !== kind || row.name !== name)) {
      throw new NonDeterminismError(workflowId, stepId, { kind, name }, { kind: row.kind, name: row.name });
    }
    return row;
  }

  /** Records what a step became during this execution. */
  set(row: CheckpointRow): void {
    this.byId.set(row.stepId, row);
  }

  /**
   * A recorded step (or child workflow) the body ended without calling, as a `NonDeterminismError`: the code
   * dropped or renamed that call, or a re-entry took another path (a wait it did not await at once resolved
   * before the steps that came first). Ending as if it had not run would complete with a result no run had.
   */
  unreached(workflowId: string, workflowName: string): NonDeterminismError | undefined {
    const end = { kind: 'end', name: workflowName };
    for (const row of this.byId.values()) if (!this.reached.has(row.stepId)) return new NonDeterminismError(workflowId, row.stepId, end, { kind: row.kind, name: row.name });
    for (const child of this.children.values()) {
      if (!this.reached.has(child.parentStepId)) return new NonDeterminismError(workflowId, child.parentStepId, end, { kind: 'workflow', name: child.name });
    }
    return undefined;
  }
}

/** The failure a step recorded, as thrown again on re-entry. */
export function recordedFailure(workflowId: string, row: CheckpointRow, cause: Error): ActivityFailure {
  return new ActivityFailure(workflowId, row.stepId, row.name, row.attempts, cause);
}
