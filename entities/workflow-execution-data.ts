import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Encoded input and output of one workflow execution. */
@Entity({ name: 'tempolite_workflow_execution_data', withoutRowid: true })
export class WorkflowExecutionData {
  /** The {@link WorkflowExecution} these payloads belong to. */
  @PrimaryColumn({ name: 'execution_id', type: 'varchar', length: 36 })
  executionId!: string;

  /** Encoded input. */
  @Column({ name: 'input', type: 'text', nullable: true })
  input!: string | null;

  /** Encoded output. */
  @Column({ name: 'output', type: 'text', nullable: true })
  output!: string | null;
}
