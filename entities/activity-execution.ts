import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** One attempt at running an activity. */
@Entity({ name: 'tempolite_activity_execution', withoutRowid: true })
@Index('idx_tempolite_activity_execution_activity_id', ['activityId'])
export class ActivityExecution {
  /** uuid v7. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  /** The {@link ActivityEntity} being executed. */
  @Column({ name: 'activity_id', type: 'varchar', length: 36 })
  activityId!: string;

  /** The workflow execution that ran this attempt. */
  @Column({ name: 'workflow_execution_id', type: 'varchar', length: 36 })
  workflowExecutionId!: string;

  /** 1-based attempt number. */
  @Column({ name: 'attempt', type: 'int' })
  attempt!: number;

  /** Execution status. */
  @Column({ name: 'status', type: 'varchar', length: 32 })
  status!: string;

  /** Encoded error, if the attempt failed. */
  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  /** Epoch milliseconds. */
  @Column({ name: 'started_at', type: 'bigint', transformer: bigintTransformer })
  startedAt!: number;

  /** Epoch milliseconds. */
  @Column({ name: 'ended_at', type: 'bigint', nullable: true, transformer: bigintTransformer })
  endedAt!: number | null;
}
