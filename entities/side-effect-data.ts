import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Encoded output of a side-effect step. */
@Entity({ name: 'tempolite_side_effect_data', withoutRowid: true })
export class SideEffectData {
  /** The {@link SideEffectEntity} this payload belongs to. */
  @PrimaryColumn({ name: 'side_effect_id', type: 'varchar', length: 36 })
  sideEffectId!: string;

  /** Encoded output. */
  @Column({ name: 'output', type: 'text', nullable: true })
  output!: string | null;
}
