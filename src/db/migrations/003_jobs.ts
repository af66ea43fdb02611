import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// The job service: executions (one row per queued job, with status, attempts and
// progress) and their log lines, worker pools with heartbeats, paused job types,
// and cron schedules. Timestamps are ISO 8601 strings, comparable as text.
export function jobService(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('job_executions')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('job_name', dialect.varchar(64), (c) => c.notNull())
        .addColumn('params', dialect.text, (c) => c.notNull())
        .addColumn('status', dialect.varchar(16), (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_fails', 'integer', (c) => c.notNull())
        .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', dialect.text)
        .addColumn('pool_id', dialect.varchar(64))
        .addColumn('stop_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_at', dialect.varchar(32), (c) => c.notNull())
        .addColumn('heartbeat_at', dialect.varchar(32))
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('start_time', dialect.varchar(32))
        .addColumn('end_time', dialect.varchar(32))
        .execute();
      await db.schema.createIndex('job_executions_due').on('job_executions').columns(['status', 'run_at']).execute();

      await db.schema
        .createTable('job_log_lines')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('execution_id', 'integer', (c) => c.notNull().references('job_executions.id').onDelete('cascade'))
        .addColumn('time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('level', dialect.varchar(8), (c) => c.notNull())
        .addColumn('message', dialect.text, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('job_log_lines_execution')
        .on('job_log_lines')
        .columns(['execution_id', 'id'])
        .execute();

      await db.schema
        .createTable('job_pools')
        .addColumn('id', dialect.varchar(64), (c) => c.primaryKey())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('host', dialect.varchar(255), (c) => c.notNull())
        .addColumn('concurrency', 'integer', (c) => c.notNull())
        .addColumn('start_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('heartbeat_at', dialect.varchar(32), (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('job_queues')
        .addColumn('job_type', dialect.varchar(64), (c) => c.primaryKey())
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('schedules')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('vendor_type', dialect.varchar(64), (c) => c.notNull())
        .addColumn('vendor_id', 'integer', (c) => c.notNull())
        .addColumn('cron', dialect.varchar(64), (c) => c.notNull())
        .addColumn('job_name', dialect.varchar(64), (c) => c.notNull())
        .addColumn('params', dialect.text, (c) => c.notNull())
        .addColumn('next_run_at', dialect.varchar(32), (c) => c.notNull())
        .addColumn('last_run_at', dialect.varchar(32))
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .addUniqueConstraint('schedules_vendor', ['vendor_type', 'vendor_id'])
        .execute();
    },
  };
}
