import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** A signal sent to a workflow; consumed at most once, by one step. */
@Entity({ name: 'tempolite_signal', withoutRowid: true })
// Serves "oldest unconsumed signal of this name for this workflow".
@Index('idx_tempolite_signal_lookup', ['workflowId', 'name', 'consumedAt'])
// Serves a wait's look-up of the signal it consumed.
@Index('idx_tempolite_signal_consumed', ['workflowId', 'consumedGeneration', 'consumedStepId'])
// One signal per idempotency key and workflow (keyless signals, NULL, are not constrained).
@Index('uq_tempolite_signal_key', ['workflowId', 'idempotencyKey'], { unique: true })
export class Signal {
  /** uuid v7, so ids sort by send time. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  /** Target workflow. */
  @Column({ name: 'workflow_id', type: 'varchar', length: 255 })
  workflowId!: string;

  /** Signal name. */
  @Column({ name: 'name', type: 'varchar', length: 255 })
  name!: string;

  /** Encoded payload. */
  @Column({ name: 'payload', type: 'text', nullable: true })
  payload!: string | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintTransformer })
  createdAt!: number;

  /** Epoch milliseconds; null while unconsumed. */
  @Column({ name: 'consumed_at', type: 'bigint', nullable: true, transformer: bigintTransformer })
  consumedAt!: number | null;

  /** Workflow generation whose step consumed it. */
  @Column({ name: 'consumed_generation', type: 'int', nullable: true })
  consumedGeneration!: number | null;

  /** Step id that consumed it, so replays get the same signal back. */
  @Column({ name: 'consumed_step_id', type: 'varchar', length: 255, nullable: true })
  consumedStepId!: string | null;

  /** The sender's idempotency key: a second signal with it is not stored. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;
}
