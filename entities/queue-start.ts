import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/**
 * One workflow entry (start, retry, wake-up) claimed on a rate-limited queue.
 * The PostgreSQL store counts these rows inside the claim's transaction so a
 * queue's rate limit holds across every worker process; rows older than the
 * queue's interval are deleted by the next claim.
 */
@Entity({ name: 'tempolite_queue_start', withoutRowid: true })
// Serves "entries of this queue since t".
@Index('idx_tempolite_queue_start_queue', ['queue', 'startedAt'])
export class QueueStart {
  /** Random id. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  /** Queue the entry counts against. */
  @Column({ name: 'queue', type: 'varchar', length: 255 })
  queue!: string;

  /** Epoch milliseconds of the claim. */
  @Column({ name: 'started_at', type: 'bigint', transformer: bigintTransformer })
  startedAt!: number;
}
