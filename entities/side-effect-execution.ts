import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** One attempt at running a side effect. */
@Entity({ name: 'tempolite_side_effect_execution', withoutRowid: true })
@Index('idx_tempolite_side_effect_execution_side_effect_id', ['sideEffectId'])
export class SideEffectExecution {
  /** uuid v7. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  /** The {@link SideEffectEntity} being executed. */
  @Column({ name: 'side_effect_id', type: 'varchar', length: 36 })
  sideEffectId!: string;

  /** The workflow execution that ran this attempt. */
  @Column({ name: 'workflow_execution_id', type: 'varchar', length: 36 })
  workflowExecutionId!: string;

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
