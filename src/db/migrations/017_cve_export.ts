import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// CVE exports (Harbor's SCAN_DATA_EXPORT executions): one row per export a user asked for, with
// its criteria, its status as the CVE_EXPORT job reports it, and the CSV it wrote to the blob
// store (gone once downloaded or a day old, as Harbor drops its system artifacts).
export function cveExport(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('cve_export_executions')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('user_name', dialect.varchar(255), (c) => c.notNull())
        .addColumn('job_name', dialect.varchar(255), (c) => c.notNull())
        // JSON number[]: the projects exported (Harbor allows one).
        .addColumn('project_ids', dialect.text, (c) => c.notNull())
        // JSON: the request's filters (repositories, tags, cveIds, labels).
        .addColumn('criteria', dialect.text, (c) => c.notNull())
        .addColumn('trigger', dialect.varchar(16), (c) => c.notNull())
        .addColumn('status', dialect.varchar(16), (c) => c.notNull())
        .addColumn('status_text', dialect.text, (c) => c.notNull())
        .addColumn('job_id', dialect.varchar(64))
        // The CSV in the blob store, its sha256 digest and size; null when none was written or it is gone.
        .addColumn('file_path', dialect.varchar(255))
        .addColumn('file_digest', dialect.varchar(80))
        .addColumn('file_size', 'integer')
        .addColumn('rows', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('start_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('end_time', dialect.varchar(32))
        .execute();
      await db.schema
        .createIndex('cve_export_executions_user')
        .on('cve_export_executions')
        .columns(['user_name', 'id'])
        .execute();
    },
  };
}
