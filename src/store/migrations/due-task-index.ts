import { TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const DUE_TASK_INDEX = new TableIndex({
  name: 'idx_tempolite_task_due',
  columnNames: ['queue', 'priority', 'available_at', 'created_at'],
  where: 'owner IS NULL',
});

/**
 * Adds the partial index of unleased tasks that SQLite's claim seeks, one
 * priority level at a time, instead of sorting every due task at each claim.
 */
export class DueTaskIndex1764600000000 implements MigrationInterface {
  /** Recorded in `tempolite_migrations`; explicit so bundlers that rename classes cannot change it. */
  readonly name = 'DueTaskIndex1764600000000';

  /** Creates the index. */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('tempolite_task', DUE_TASK_INDEX);
  }

  /** Drops the index. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tempolite_task', DUE_TASK_INDEX);
  }
}
