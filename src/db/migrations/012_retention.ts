import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Tag retention (Harbor's retention_policy, and its executions and tasks): one policy per
// project, kept as the RetentionPolicy JSON the API speaks; an execution per run (manual,
// scheduled, dry run) and a task per repository it looked at, with the task's log.
export function retention(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('retention_policies')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('project_id', 'integer', (c) => c.notNull().unique().references('projects.id').onDelete('cascade'))
        .addColumn('policy', dialect.text, (c) => c.notNull())
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('retention_executions')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('policy_id', 'integer', (c) => c.notNull().references('retention_policies.id').onDelete('cascade'))
        .addColumn('job_id', dialect.varchar(64))
        .addColumn('status', dialect.varchar(16), (c) => c.notNull())
        .addColumn('trigger', dialect.varchar(16), (c) => c.notNull())
        .addColumn('dry_run', 'integer', (c) => c.notNull())
        .addColumn('start_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('end_time', dialect.varchar(32))
        .execute();
      await db.schema
        .createIndex('retention_executions_policy')
        .on('retention_executions')
        .columns(['policy_id', 'id'])
        .execute();
      await db.schema
        .createTable('retention_tasks')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('execution_id', 'integer', (c) =>
          c.notNull().references('retention_executions.id').onDelete('cascade'),
        )
        .addColumn('repository', dialect.varchar(512), (c) => c.notNull())
        .addColumn('status', dialect.varchar(16), (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('retained', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('start_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('end_time', dialect.varchar(32))
        .addColumn('log', dialect.text, (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createIndex('retention_tasks_execution')
        .on('retention_tasks')
        .columns(['execution_id', 'id'])
        .execute();
    },
  };
}
