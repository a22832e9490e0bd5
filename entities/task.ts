import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/**
 * A workflow waiting to be executed, or being executed under a lease.
 * At most one per workflow, hence the workflow id as key.
 */
@Entity({ name: 'tempolite_task', withoutRowid: true })
// Serves the next-wake-up query (and PostgreSQL's claim): ready tasks of a queue.
@Index('idx_tempolite_task_claim', ['queue', 'availableAt'])
// Serves SQLite's claim: unleased tasks of a queue by priority level, then due time and age (a seek per level).
@Index('idx_tempolite_task_due', ['queue', 'priority', 'availableAt', 'createdAt'], { where: 'owner IS NULL' })
// Serves the reaper: leases that ran out.
@Index('idx_tempolite_task_lease', ['leaseExpiresAt'])
export class Task {
  /** The workflow to execute. */
  @PrimaryColumn({ name: 'workflow_id', type: 'varchar', length: 255 })
  workflowId!: string;

  /** Queue the task waits on. */
  @Column({ name: 'queue', type: 'varchar', length: 255 })
  queue!: string;

  /** Higher runs first within a queue. */
  @Column({ name: 'priority', type: 'int', default: 0 })
  priority!: number;

  /** Epoch milliseconds from which it may be claimed; null while claimed. */
  @Column({ name: 'available_at', type: 'bigint', nullable: true, transformer: bigintTransformer })
  availableAt!: number | null;

  /** Worker holding the lease. */
  @Column({ name: 'owner', type: 'varchar', length: 64, nullable: true })
  owner!: string | null;

  /** Epoch milliseconds when the lease runs out. */
  @Column({ name: 'lease_expires_at', type: 'bigint', nullable: true, transformer: bigintTransformer })
  leaseExpiresAt!: number | null;

  /**
   * Counts wake-ups (signal, child finished, cancel). A body that suspends
   * compares it with the value it was claimed with, so a wake-up that lands
   * while the body is still running is never lost.
   */
  @Column({ name: 'wakeups', type: 'int', default: 0 })
  wakeups!: number;

  /**
   * A cancel or pause asked while a worker runs the workflow (`cancel`,
   * `pause`, or null): the body stops at its next step boundary, or the next
   * worker to claim the task applies it before entering the body.
   */
  @Column({ name: 'control', type: 'varchar', length: 16, nullable: true })
  control!: string | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintTransformer })
  createdAt!: number;
}
