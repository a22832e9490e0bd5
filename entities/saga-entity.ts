import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** A saga step of a workflow: an action plus the compensation that undoes it. */
@Entity({ name: 'tempolite_saga_entity', withoutRowid: true })
// A step id names one step per workflow generation; replays look it up by this key.
@Unique('uq_tempolite_saga_step', ['workflowId', 'generation', 'stepId'])
export class SagaEntity {
  /** uuid v7. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  /** Owning workflow. */
  @Column({ name: 'workflow_id', type: 'varchar', length: 255 })
  workflowId!: string;

  /** Workflow generation that recorded this step. */
  @Column({ name: 'generation', type: 'int' })
  generation!: number;

  /** Deterministic step id within the workflow. */
  @Column({ name: 'step_id', type: 'varchar', length: 255 })
  stepId!: string;

  /** Durable name of the action. */
  @Column({ name: 'name', type: 'varchar', length: 255 })
  name!: string;

  /** Durable name of the compensation. */
  @Column({ name: 'compensate_name', type: 'varchar', length: 255 })
  compensateName!: string;

  /** Saga step status. */
  @Column({ name: 'status', type: 'varchar', length: 32 })
  status!: string;

  /** Action executions started so far. */
  @Column({ name: 'attempts', type: 'int', default: 0 })
  attempts!: number;

  /** Compensation executions started so far. */
  @Column({ name: 'compensation_attempts', type: 'int', default: 0 })
  compensationAttempts!: number;

  /**
   * Position among the workflow's completed saga steps; compensations run in
   * reverse of this order, which is not the order the steps were started in.
   */
  @Column({ name: 'completed_order', type: 'int', nullable: true })
  completedOrder!: number | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintTransformer })
  createdAt!: number;

  /** Epoch milliseconds. */
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintTransformer })
  updatedAt!: number;
}
