import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './bigint-transformer.js';

/** One start of a root workflow, together with everything it spawns. */
@Entity({ name: 'tempolite_run', withoutRowid: true })
@Index('idx_tempolite_run_root', ['rootWorkflowId'])
export class Run {
  /** uuid v7. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  /** Id of the workflow that started this run. */
  @Column({ name: 'root_workflow_id', type: 'varchar', length: 255 })
  rootWorkflowId!: string;

  /** Run status. */
  @Column({ name: 'status', type: 'varchar', length: 32 })
  status!: string;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintTransformer })
  createdAt!: number;

  /** Epoch milliseconds. */
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintTransformer })
  updatedAt!: number;
}
