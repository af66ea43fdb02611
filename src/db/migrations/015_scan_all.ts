import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Scan all (Harbor's SCAN_ALL executions): one row per run, manual or scheduled, with how far
// its walk over the artifacts got (so a retried job resumes after the last artifact it
// scanned) and the scan reports it started, whose statuses make its metrics. A report's last
// status is kept here too: a later scan of the same digest replaces the report row itself.
export function scanAll(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('scan_all_executions')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        // The job service's execution of the walk (the same on every retry).
        .addColumn('job_id', dialect.varchar(64), (c) => c.unique())
        .addColumn('trigger', dialect.varchar(16), (c) => c.notNull())
        .addColumn('status', dialect.varchar(16), (c) => c.notNull())
        .addColumn('stop_requested', 'integer', (c) => c.notNull().defaultTo(0))
        // The id of the last artifact walked: the walk goes on after it.
        .addColumn('last_artifact_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('artifacts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('end_time', dialect.varchar(32))
        .execute();
      await db.schema
        .createIndex('scan_all_executions_trigger')
        .on('scan_all_executions')
        .columns(['trigger', 'id'])
        .execute();
      await db.schema
        .createTable('scan_all_reports')
        .addColumn('execution_id', 'integer', (c) =>
          c.notNull().references('scan_all_executions.id').onDelete('cascade'),
        )
        .addColumn('report_uuid', dialect.varchar(64), (c) => c.notNull())
        .addColumn('job_id', dialect.varchar(64))
        .addColumn('status', dialect.varchar(16), (c) => c.notNull())
        .addPrimaryKeyConstraint('scan_all_reports_pk', ['execution_id', 'report_uuid'])
        .execute();
    },
  };
}
