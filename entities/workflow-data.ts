import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Encoded input, output and error of a workflow, kept apart from its hot status row. */
@Entity({ name: 'tempolite_workflow_data', withoutRowid: true })
export class WorkflowData {
  /** The workflow these payloads belong to. */
  @PrimaryColumn({ name: 'workflow_id', type: 'varchar', length: 255 })
  workflowId!: string;

  /** Encoded input. */
  @Column({ name: 'input', type: 'text', nullable: true })
  input!: string | null;

  /** Encoded output. */
  @Column({ name: 'output', type: 'text', nullable: true })
  output!: string | null;

  /** Encoded terminal error. */
  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;
}
