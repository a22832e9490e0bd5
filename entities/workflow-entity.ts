import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** The statuses a deadline still applies to; `compensating` is past a cancel already. */
export const WORKFLOW_DEADLINE_WHERE = "deadline_at IS NOT NULL AND status IN ('pending', 'running', 'waiting', 'paused')";

/**
 * A workflow instance: its identity, queue placement, status and parentage.
 * Payloads live in {@link WorkflowData} so that status scans never read them.
 */
@Entity({ name: 'tempolite_workflow_entity', withoutRowid: true })
@Index('idx_tempolite_workflow_status_name', ['status', 'name'])
@Index('idx_tempolite_workflow_run_id', ['runId'])
// Only unfinished workflows with a deadline: the deadline watch's scan costs what is due, not the history.
@Index('idx_tempolite_workflow_deadline', ['deadlineAt'], { where: WORKFLOW_DEADLINE_WHERE })
// A parent's step may spawn at most one child per generation; replays find it again.
@Unique('uq_tempolite_workflow_parent_step', ['parentId', 'parentGeneration', 'parentStepId'])
export class WorkflowEntity {
  /** Workflow id: uuid v7 or chosen by the user. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 255 })
  id!: string;

  /** The {@link Run} this workflow belongs to. */
  @Column({ name: 'run_id', type: 'varchar', length: 36 })
  runId!: string;

  /** Durable workflow name. */
  @Column({ name: 'name', type: 'varchar', length: 255 })
  name!: string;

  /** Queue the workflow is scheduled on. */
  @Column({ name: 'queue', type: 'varchar', length: 255 })
  queue!: string;

  /** Higher runs first within a queue. */
  @Column({ name: 'priority', type: 'int', default: 0 })
  priority!: number;

  /** Workflow status. */
  @Column({ name: 'status', type: 'varchar', length: 32 })
  status!: string;

  /** Bumped when the workflow restarts from scratch; steps are keyed by it. */
  @Column({ name: 'generation', type: 'int', default: 0 })
  generation!: number;

  /** Executions started so far. */
  @Column({ name: 'attempts', type: 'int', default: 0 })
  attempts!: number;

  /** Encoded retry policy, or null for the default. */
  @Column({ name: 'retry_policy', type: 'text', nullable: true })
  retryPolicy!: string | null;

  /** Parent workflow id for child workflows. */
  @Column({ name: 'parent_id', type: 'varchar', length: 255, nullable: true })
  parentId!: string | null;

  /** Parent generation that spawned this child. */
  @Column({ name: 'parent_generation', type: 'int', nullable: true })
  parentGeneration!: number | null;

  /** Step id in the parent that spawned this child. */
  @Column({ name: 'parent_step_id', type: 'varchar', length: 255, nullable: true })
  parentStepId!: string | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintTransformer })
  createdAt!: number;

  /** Epoch milliseconds. */
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintTransformer })
  updatedAt!: number;

  /** Epoch milliseconds, set once the workflow reaches a terminal status. */
  @Column({ name: 'completed_at', type: 'bigint', nullable: true, transformer: bigintTransformer })
  completedAt!: number | null;

  /** Epoch milliseconds after which an unfinished workflow is cancelled (its start's `timeout`); none when null. */
  @Column({ name: 'deadline_at', type: 'bigint', nullable: true, transformer: bigintTransformer })
  deadlineAt!: number | null;
}
