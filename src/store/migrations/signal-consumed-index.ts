import { TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNAL_CONSUMED_INDEX = new TableIndex({
  name: 'idx_tempolite_signal_consumed',
  columnNames: ['workflow_id', 'consumed_generation', 'consumed_step_id'],
});

/**
 * Adds the index a signal wait's look-up of what it consumed seeks: without it, that look-up read every
 * signal the workflow ever received, so each signal cost more than the one before.
 */
export class SignalConsumedIndex1764800000000 implements MigrationInterface {
  /** Recorded in `tempolite_migrations`; explicit so bundlers that rename classes cannot change it. */
  readonly name = 'SignalConsumedIndex1764800000000';

  /** Creates the index. */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('tempolite_signal', SIGNAL_CONSUMED_INDEX);
  }

  /** Drops the index. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tempolite_signal', SIGNAL_CONSUMED_INDEX);
  }
}
