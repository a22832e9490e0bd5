import { ActivityFailure, NonDeterminismError } from '../../errors.js';
import type { CheckpointRow, ChildRow } from '../../store/rows.js';
import type { StepKind } from '../../store/statuses.js';

/** The recorded steps of one generation, by step id. */
export class Checkpoints {
  private readonly rows: CheckpointRow[];
  /** Step id → index in `rows`. */
  private readonly index = new Map<string, number>();
  /** How many of `rows` were recorded before this execution: those the body must reach again. */
  private readonly recorded: number;
  /** Which of the recorded rows the body has called in this execution (a flag per row: a re-entry of 10,000 steps pays no set). */
  private readonly reachedRows: Uint8Array;
  private readonly children = new Map<string, ChildRow>();
  private readonly reachedChildren = new Set<string>();

  constructor(rows: readonly CheckpointRow[], children: readonly ChildRow[] = []) {
    this.rows = [...rows];
    this.rows.forEach((row, i) => this.index.set(row.stepId, i));
    this.recorded = this.rows.length;
    this.reachedRows = new Uint8Array(this.recorded);
    for (const child of children) this.children.set(child.parentStepId, child);
  }

  /**
   * The child workflow started at `stepId`, checked against what the code calls there.
   * @throws NonDeterminismError when a step or another workflow was recorded at that id
   */
  childAt(workflowId: string, stepId: string, name: string): ChildRow | undefined {
    this.reachedChildren.add(stepId);
    const step = this.rowAt(stepId);
    if (step) throw new NonDeterminismError(workflowId, stepId, { kind: 'workflow', name }, { kind: step.kind, name: step.name });
    const child = this.children.get(stepId);
    if (child && child.name !== name) throw new NonDeterminismError(workflowId, stepId, { kind: 'workflow', name }, { kind: 'workflow', name: child.name });
    return child;
  }

  /** Records a child started during this execution. */
  setChild(child: ChildRow): void {
    this.children.set(child.parentStepId, child);
    this.reachedChildren.add(child.parentStepId);
  }

  /**
   * The checkpoint at `stepId`, checked against what the code calls there.
   * @throws NonDeterminismError when the recorded kind or name differs
   */
  at(workflowId: string, stepId: string, kind: StepKind, name: string): CheckpointRow | undefined {
    const child = this.children.get(stepId);
    if (child) {
      this.reachedChildren.add(stepId);
      throw new NonDeterminismError(workflowId, stepId, { kind, name }, { kind: 'workflow', name: child.name });
    }
    const row = this.rowAt(stepId);
    if (row && (row.kind !== kind || row.name !== name)) {
      throw new NonDeterminismError(workflowId, stepId, { kind, name }, { kind: row.kind, name: row.name });
    }
    return row;
  }

  /** Records what a step became during this execution. */
  set(row: CheckpointRow): void {
    const i = this.index.get(row.stepId);
    if (i === undefined) {
      this.index.set(row.stepId, this.rows.length);
      this.rows.push(row);
    } else {
      this.rows[i] = row;
    }
  }

  /** The row at `stepId`, marked as reached. */
  private rowAt(stepId: string): CheckpointRow | undefined {
    const i = this.index.get(stepId);
    if (i === undefined) return undefined;
    if (i < this.recorded) this.reachedRows[i] = 1;
    return this.rows[i];
  }

  /** Whether a recorded step (one `counts` keeps) or child workflow has not been called again in this execution yet. */
  hasUnreached(counts: (row: CheckpointRow) => boolean): boolean {
    for (let i = 0; i < this.recorded; i++) if (this.reachedRows[i] === 0 && counts(this.rows[i]!)) return true;
    for (const child of this.children.values()) if (!this.reachedChildren.has(child.parentStepId)) return true;
    return false;
  }

  /**
   * A recorded step (or child workflow) the body ended without calling, as a `NonDeterminismError`: the code
   * dropped or renamed that call, or a re-entry took another path (a wait it did not await at once resolved
   * before the steps that came first). Ending as if it had not run would complete with a result no run had.
   */
  unreached(workflowId: string, workflowName: string, optional?: (row: CheckpointRow) => boolean): NonDeterminismError | undefined {
    const end = { kind: 'end', name: workflowName };
    for (let i = this.reachedRows.indexOf(0); i >= 0 && i < this.recorded; i = this.reachedRows.indexOf(0, i + 1)) {
      const row = this.rows[i]!;
      if (optional?.(row)) continue;
      return new NonDeterminismError(workflowId, row.stepId, end, { kind: row.kind, name: row.name });
    }
    for (const child of this.children.values()) {
      if (!this.reachedChildren.has(child.parentStepId)) return new NonDeterminismError(workflowId, child.parentStepId, end, { kind: 'workflow', name: child.name });
    }
    return undefined;
  }
}

/** The failure a step recorded, as thrown again on re-entry. */
export function recordedFailure(workflowId: string, row: CheckpointRow, cause: Error): ActivityFailure {
  return new ActivityFailure(workflowId, row.stepId, row.name, row.attempts, cause);
}
