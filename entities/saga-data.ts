import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Encoded input, output and errors of a saga step. */
@Entity({ name: 'tempolite_saga_data', withoutRowid: true })
export class SagaData {
  /** The {@link SagaEntity} these payloads belong to. */
  @PrimaryColumn({ name: 'saga_id', type: 'varchar', length: 36 })
  sagaId!: string;

  /** Encoded input, shared by the action and its compensation. */
  @Column({ name: 'input', type: 'text', nullable: true })
  input!: string | null;

  /** Encoded output of the action. */
  @Column({ name: 'output', type: 'text', nullable: true })
  output!: string | null;

  /** Encoded terminal error of the action. */
  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  /** Encoded terminal error of the compensation. */
  @Column({ name: 'compensation_error', type: 'text', nullable: true })
  compensationError!: string | null;
}
