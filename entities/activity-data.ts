import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Encoded input, output and error of an activity step. */
@Entity({ name: 'tempolite_activity_data', withoutRowid: true })
export class ActivityData {
  /** The {@link ActivityEntity} these payloads belong to. */
  @PrimaryColumn({ name: 'activity_id', type: 'varchar', length: 36 })
  activityId!: string;

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
