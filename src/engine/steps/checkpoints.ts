import { ActivityFailure, NonDeterminismError } from '../../errors.js';
import type { CheckpointRow } from '../../store/rows.js';
import type { StepKind } from '../../store/statuses.js';

/** The recorded steps of one generation, by step id. */
export class Checkpoints {
  private readonly byId = new Map<string, CheckpointRow>();

  constructor(rows: readonly CheckpointRow[]) {
    for (const row of rows) this.byId.set(row.stepId, row);
  }

  /**
   * The checkpoint at `stepId`, checked against what the code calls there.
   * @throws NonDeterminismError when the recorded kind or name differs
   */
  at(workflowId: string, stepId: string, kind: StepKind, name: string): CheckpointRow | undefined {
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
}

/** The failure a step recorded, as thrown again on re-entry. */
export function recordedFailure(workflowId: string, row: CheckpointRow, cause: Error): ActivityFailure {
  return new ActivityFailure(workflowId, row.stepId, row.name, row.attempts, cause);
}
