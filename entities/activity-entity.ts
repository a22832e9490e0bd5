import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** An activity step of a workflow. Payloads live in {@link ActivityData}. */
@Entity({ name: 'tempolite_activity_entity', withoutRowid: true })
// A step id names one step per workflow generation; replays look it up by this key.
@Unique('uq_tempolite_activity_step', ['workflowId', 'generation', 'stepId'])
export class ActivityEntity {
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

  /** Durable name of the step. */
  @Column({ name: 'name', type: 'varchar', length: 255 })
  name!: string;

  /** Step status. */
  @Column({ name: 'status', type: 'varchar', length: 32 })
  status!: string;

  /** Executions started so far. */
  @Column({ name: 'attempts', type: 'int', default: 0 })
  attempts!: number;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintTransformer })
  createdAt!: number;

  /** Epoch milliseconds. */
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintTransformer })
  updatedAt!: number;
}
