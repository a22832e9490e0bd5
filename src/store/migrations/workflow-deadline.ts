import { TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const DEADLINE_INDEX = new TableIndex({
  name: 'idx_tempolite_workflow_deadline',
  columnNames: ['deadline_at'],
  // Written out, not imported from the entity: a released migration never changes.
  where: "deadline_at IS NOT NULL AND status IN ('pending', 'running', 'waiting', 'paused')",
});

/**
 * Adds a workflow's deadline (a start's `timeout`) and the partial index of
 * unfinished workflows that have one, which the deadline watch scans.
 */
export class WorkflowDeadline1764700000000 implements MigrationInterface {
  /** Recorded in `tempolite_migrations`; explicit so bundlers that rename classes cannot change it. */
  readonly name = 'WorkflowDeadline1764700000000';

  /** Adds the column (a plain ALTER: no table rebuild on SQLite) and the index. */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tempolite_workflow_entity ADD COLUMN deadline_at bigint NULL');
    await queryRunner.createIndex('tempolite_workflow_entity', DEADLINE_INDEX);
  }

  /** Drops the index and the column. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tempolite_workflow_entity', DEADLINE_INDEX);
    await queryRunner.query('ALTER TABLE tempolite_workflow_entity DROP COLUMN deadline_at');
  }
}
