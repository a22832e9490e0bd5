import { TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNAL_KEY_INDEX = new TableIndex({
  name: 'uq_tempolite_signal_key',
  columnNames: ['workflow_id', 'idempotency_key'],
  isUnique: true,
});

/**
 * Adds a signal's idempotency key (`signal(name, payload, { idempotencyKey })`) and the unique index that keeps
 * one signal per key and workflow: a webhook delivered twice is stored once. Signals without a key (NULL) are
 * not constrained.
 */
export class SignalIdempotencyKey1764900000000 implements MigrationInterface {
  /** Recorded in `tempolite_migrations`; explicit so bundlers that rename classes cannot change it. */
  readonly name = 'SignalIdempotencyKey1764900000000';

  /** Adds the column (a plain ALTER: no table rebuild on SQLite) and the index. */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tempolite_signal ADD COLUMN idempotency_key varchar(255) NULL');
    await queryRunner.createIndex('tempolite_signal', SIGNAL_KEY_INDEX);
  }

  /** Drops the index and the column. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tempolite_signal', SIGNAL_KEY_INDEX);
    await queryRunner.query('ALTER TABLE tempolite_signal DROP COLUMN idempotency_key');
  }
}
