import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** One attempt at running a saga step's action or its compensation. */
@Entity({ name: 'tempolite_saga_execution', withoutRowid: true })
@Index('idx_tempolite_saga_execution_saga_id', ['sagaId'])
export class SagaExecution {
  /** uuid v7. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  /** The {@link SagaEntity} being executed. */
  @Column({ name: 'saga_id', type: 'varchar', length: 36 })
  sagaId!: string;

  /** The workflow execution that ran this attempt. */
  @Column({ name: 'workflow_execution_id', type: 'varchar', length: 36 })
  workflowExecutionId!: string;

  /** Whether this ran the action or the compensation. */
  @Column({ name: 'kind', type: 'varchar', length: 16 })
  kind!: string;

  /** 1-based attempt number within its kind. */
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
