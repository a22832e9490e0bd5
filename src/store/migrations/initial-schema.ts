import { Table, TableIndex, TableUnique } from 'typeorm';
import type { MigrationInterface, QueryRunner, TableColumnOptions } from 'typeorm';

/*
 * A migration is frozen once released: it spells out every column instead of
 * reading entity metadata, so later entity edits cannot rewrite history.
 * Only the portable Table API is used so one migration serves SQLite and PostgreSQL.
 */

function varchar(name: string, length: number, nullable = false): TableColumnOptions {
  return { name, type: 'varchar', length: String(length), isNullable: nullable };
}

function primaryVarchar(name: string, length: number): TableColumnOptions {
  return { ...varchar(name, length), isPrimary: true };
}

// "integer", not "int": SQLite keeps the declared type verbatim and TypeORM
// normalizes the entities' "int" to "integer"; PostgreSQL treats both alike.
function int(name: string, options: { nullable?: boolean; default?: number } = {}): TableColumnOptions {
  return {
    name,
    type: 'integer',
    isNullable: options.nullable ?? false,
    ...(options.default === undefined ? {} : { default: options.default }),
  };
}

function bigint(name: string, nullable = false): TableColumnOptions {
  return { name, type: 'bigint', isNullable: nullable };
}

function text(name: string): TableColumnOptions {
  return { name, type: 'text', isNullable: true };
}

/** Columns shared by the activity and side-effect step tables. */
function stepColumns(): TableColumnOptions[] {
  return [
    primaryVarchar('id', 36),
    varchar('workflow_id', 255),
    int('generation'),
    varchar('step_id', 255),
    varchar('name', 255),
    varchar('status', 32),
    int('attempts', { default: 0 }),
    bigint('created_at'),
    bigint('updated_at'),
  ];
}

function stepUnique(name: string): TableUnique {
  return new TableUnique({ name, columnNames: ['workflow_id', 'generation', 'step_id'] });
}

/** Every table of the first schema, in creation order. */
function initialTables(): Table[] {
  return [
    new Table({
      name: 'tempolite_run',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 36),
        varchar('root_workflow_id', 255),
        varchar('status', 32),
        bigint('created_at'),
        bigint('updated_at'),
      ],
      indices: [new TableIndex({ name: 'idx_tempolite_run_root', columnNames: ['root_workflow_id'] })],
    }),
    new Table({
      name: 'tempolite_workflow_entity',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 255),
        varchar('run_id', 36),
        varchar('name', 255),
        varchar('queue', 255),
        int('priority', { default: 0 }),
        varchar('status', 32),
        int('generation', { default: 0 }),
        int('attempts', { default: 0 }),
        text('retry_policy'),
        varchar('parent_id', 255, true),
        int('parent_generation', { nullable: true }),
        varchar('parent_step_id', 255, true),
        bigint('created_at'),
        bigint('updated_at'),
        bigint('completed_at', true),
      ],
      indices: [
        new TableIndex({ name: 'idx_tempolite_workflow_status_name', columnNames: ['status', 'name'] }),
        new TableIndex({ name: 'idx_tempolite_workflow_run_id', columnNames: ['run_id'] }),
      ],
      uniques: [
        new TableUnique({
          name: 'uq_tempolite_workflow_parent_step',
          columnNames: ['parent_id', 'parent_generation', 'parent_step_id'],
        }),
      ],
    }),
    new Table({
      name: 'tempolite_workflow_data',
      withoutRowid: true,
      columns: [primaryVarchar('workflow_id', 255), text('input'), text('output'), text('error')],
    }),
    new Table({
      name: 'tempolite_workflow_execution',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 36),
        varchar('workflow_id', 255),
        int('generation'),
        int('attempt'),
        varchar('reason', 32),
        varchar('status', 32),
        text('error'),
        varchar('owner', 64, true),
        bigint('started_at'),
        bigint('ended_at', true),
      ],
      indices: [
        new TableIndex({
          name: 'idx_tempolite_workflow_execution_workflow_attempt',
          columnNames: ['workflow_id', 'attempt'],
        }),
      ],
    }),
    new Table({
      name: 'tempolite_workflow_execution_data',
      withoutRowid: true,
      columns: [primaryVarchar('execution_id', 36), text('input'), text('output')],
    }),
    new Table({
      name: 'tempolite_activity_entity',
      withoutRowid: true,
      columns: stepColumns(),
      uniques: [stepUnique('uq_tempolite_activity_step')],
    }),
    new Table({
      name: 'tempolite_activity_data',
      withoutRowid: true,
      columns: [primaryVarchar('activity_id', 36), text('input'), text('output'), text('error')],
    }),
    new Table({
      name: 'tempolite_activity_execution',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 36),
        varchar('activity_id', 36),
        varchar('workflow_execution_id', 36),
        int('attempt'),
        varchar('status', 32),
        text('error'),
        bigint('started_at'),
        bigint('ended_at', true),
      ],
      indices: [new TableIndex({ name: 'idx_tempolite_activity_execution_activity_id', columnNames: ['activity_id'] })],
    }),
    new Table({
      name: 'tempolite_side_effect_entity',
      withoutRowid: true,
      columns: stepColumns(),
      uniques: [stepUnique('uq_tempolite_side_effect_step')],
    }),
    new Table({
      name: 'tempolite_side_effect_data',
      withoutRowid: true,
      columns: [primaryVarchar('side_effect_id', 36), text('output')],
    }),
    new Table({
      name: 'tempolite_side_effect_execution',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 36),
        varchar('side_effect_id', 36),
        varchar('workflow_execution_id', 36),
        varchar('status', 32),
        text('error'),
        bigint('started_at'),
        bigint('ended_at', true),
      ],
      indices: [
        new TableIndex({ name: 'idx_tempolite_side_effect_execution_side_effect_id', columnNames: ['side_effect_id'] }),
      ],
    }),
    new Table({
      name: 'tempolite_saga_entity',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 36),
        varchar('workflow_id', 255),
        int('generation'),
        varchar('step_id', 255),
        varchar('name', 255),
        varchar('compensate_name', 255),
        varchar('status', 32),
        int('attempts', { default: 0 }),
        int('compensation_attempts', { default: 0 }),
        int('completed_order', { nullable: true }),
        bigint('created_at'),
        bigint('updated_at'),
      ],
      uniques: [stepUnique('uq_tempolite_saga_step')],
    }),
    new Table({
      name: 'tempolite_saga_data',
      withoutRowid: true,
      columns: [primaryVarchar('saga_id', 36), text('input'), text('output'), text('error'), text('compensation_error')],
    }),
    new Table({
      name: 'tempolite_saga_execution',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 36),
        varchar('saga_id', 36),
        varchar('workflow_execution_id', 36),
        varchar('kind', 16),
        int('attempt'),
        varchar('status', 32),
        text('error'),
        bigint('started_at'),
        bigint('ended_at', true),
      ],
      indices: [new TableIndex({ name: 'idx_tempolite_saga_execution_saga_id', columnNames: ['saga_id'] })],
    }),
    new Table({
      name: 'tempolite_signal',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 36),
        varchar('workflow_id', 255),
        varchar('name', 255),
        text('payload'),
        bigint('created_at'),
        bigint('consumed_at', true),
        int('consumed_generation', { nullable: true }),
        varchar('consumed_step_id', 255, true),
      ],
      indices: [
        new TableIndex({ name: 'idx_tempolite_signal_lookup', columnNames: ['workflow_id', 'name', 'consumed_at'] }),
      ],
    }),
    new Table({
      name: 'tempolite_timer',
      withoutRowid: true,
      columns: [
        primaryVarchar('id', 36),
        varchar('workflow_id', 255),
        int('generation'),
        varchar('step_id', 255),
        bigint('wake_at'),
        varchar('status', 32),
        bigint('created_at'),
      ],
      indices: [new TableIndex({ name: 'idx_tempolite_timer_wake_at', columnNames: ['wake_at'] })],
      uniques: [stepUnique('uq_tempolite_timer_step')],
    }),
    new Table({
      name: 'tempolite_task',
      withoutRowid: true,
      columns: [
        primaryVarchar('workflow_id', 255),
        varchar('queue', 255),
        int('priority', { default: 0 }),
        bigint('available_at', true),
        varchar('owner', 64, true),
        bigint('lease_expires_at', true),
        int('wakeups', { default: 0 }),
        varchar('control', 16, true),
        bigint('created_at'),
      ],
      indices: [
        new TableIndex({ name: 'idx_tempolite_task_claim', columnNames: ['queue', 'available_at'] }),
        new TableIndex({ name: 'idx_tempolite_task_lease', columnNames: ['lease_expires_at'] }),
      ],
    }),
    new Table({
      name: 'tempolite_queue_start',
      withoutRowid: true,
      columns: [primaryVarchar('id', 36), varchar('queue', 255), bigint('started_at')],
      indices: [new TableIndex({ name: 'idx_tempolite_queue_start_queue', columnNames: ['queue', 'started_at'] })],
    }),
  ];
}

/** Creates every Tempolite table, index and unique constraint of the first release. */
export class InitialSchema1763800000000 implements MigrationInterface {
  /** Recorded in `tempolite_migrations`; explicit so bundlers that rename classes cannot change it. */
  readonly name = 'InitialSchema1763800000000';

  /** Creates the tables; existing ones are left as they are. */
  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of initialTables()) {
      await queryRunner.createTable(table, true);
    }
  }

  /** Drops the tables, in reverse order of creation. */
  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of initialTables().reverse()) {
      await queryRunner.dropTable(table.name, true);
    }
  }
}
