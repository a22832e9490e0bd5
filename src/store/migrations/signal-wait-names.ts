import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adds the names a signal wait asks for to its timer row (a JSON array; NULL for sleeps), so `describe()` and the
 * progress line can say which signal a waiting workflow waits for.
 */
export class SignalWaitNames1765000000000 implements MigrationInterface {
  /** Recorded in `tempolite_migrations`; explicit so bundlers that rename classes cannot change it. */
  readonly name = 'SignalWaitNames1765000000000';

  /** Adds the column (a plain ALTER: no table rebuild on SQLite). */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tempolite_timer ADD COLUMN signal_names text NULL');
  }

  /** Drops the column. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tempolite_timer DROP COLUMN signal_names');
  }
}
