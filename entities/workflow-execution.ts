import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** One attempt at running a workflow's code. */
@Entity({ name: 'tempolite_workflow_execution', withoutRowid: true })
@Index('idx_tempolite_workflow_execution_workflow_attempt', ['workflowId', 'attempt'])
export class WorkflowExecution {
  /** uuid v7. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  /** The workflow being executed. */
  @Column({ name: 'workflow_id', type: 'varchar', length: 255 })
  workflowId!: string;

  /** Workflow generation this execution ran. */
  @Column({ name: 'generation', type: 'int' })
  generation!: number;

  /** 1-based attempt number. */
  @Column({ name: 'attempt', type: 'int' })
  attempt!: number;

  /** Why this execution started (start, retry, recovery, ...). */
  @Column({ name: 'reason', type: 'varchar', length: 32 })
  reason!: string;

  /** Execution status. */
  @Column({ name: 'status', type: 'varchar', length: 32 })
  status!: string;

  /** Encoded error, if the execution failed. */
  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  /** Worker that ran it. */
  @Column({ name: 'owner', type: 'varchar', length: 64, nullable: true })
  owner!: string | null;

  /** Epoch milliseconds. */
  @Column({ name: 'started_at', type: 'bigint', transformer: bigintTransformer })
  startedAt!: number;

  /** Epoch milliseconds. */
  @Column({ name: 'ended_at', type: 'bigint', nullable: true, transformer: bigintTransformer })
  endedAt!: number | null;
}
