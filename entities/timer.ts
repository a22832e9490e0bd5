import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** A durable sleep of a workflow. */
@Entity({ name: 'tempolite_timer', withoutRowid: true })
// A step id names one step per workflow generation; replays look it up by this key.
@Unique('uq_tempolite_timer_step', ['workflowId', 'generation', 'stepId'])
@Index('idx_tempolite_timer_wake_at', ['wakeAt'])
export class Timer {
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

  /** Epoch milliseconds when the timer fires. */
  @Column({ name: 'wake_at', type: 'bigint', transformer: bigintTransformer })
  wakeAt!: number;

  /** Timer status. */
  @Column({ name: 'status', type: 'varchar', length: 32 })
  status!: string;

  /** The signal names a signal wait asks for, as a JSON array; null for a sleep. */
  @Column({ name: 'signal_names', type: 'text', nullable: true })
  signalNames!: string | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintTransformer })
  createdAt!: number;
}
