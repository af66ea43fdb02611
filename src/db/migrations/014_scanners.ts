import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Scanner registrations (Harbor's scanner_registration): the built-in scanner, registered on
// first start and immutable, and any adapter of Harbor's pluggable scanner API; one is the
// system default. A project may pick its own (Harbor keeps that in the project's metadata as
// projectScanner; a table of its own here, so a deleted registration cascades). Scan reports
// (Harbor's scan_report): one per digest, scanner and report type, shared by every artifact
// of that digest, with the job that makes it, its status, the report and its summary. CVE
// allowlists of the system and of projects.
export function scanners(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('scanner_registrations')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('uuid', dialect.varchar(64), (c) => c.notNull().unique())
        .addColumn('name', dialect.varchar(128), (c) => c.notNull().unique())
        .addColumn('description', dialect.varchar(1024), (c) => c.notNull())
        .addColumn('url', dialect.varchar(512), (c) => c.notNull().unique())
        .addColumn('auth', dialect.varchar(32), (c) => c.notNull())
        .addColumn('access_credential', dialect.varchar(512), (c) => c.notNull())
        .addColumn('skip_cert_verify', 'integer', (c) => c.notNull())
        .addColumn('use_internal_addr', 'integer', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .addColumn('immutable', 'integer', (c) => c.notNull())
        .addColumn('create_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('project_scanners')
        .addColumn('project_id', 'integer', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
        .addColumn('registration_id', 'integer', (c) =>
          c.notNull().references('scanner_registrations.id').onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createTable('scan_reports')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('uuid', dialect.varchar(64), (c) => c.notNull().unique())
        .addColumn('digest', dialect.varchar(128), (c) => c.notNull())
        .addColumn('registration_uuid', dialect.varchar(64), (c) => c.notNull())
        .addColumn('mime_type', dialect.varchar(128), (c) => c.notNull())
        .addColumn('status', dialect.varchar(16), (c) => c.notNull())
        .addColumn('job_id', dialect.varchar(64))
        .addColumn('start_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('end_time', dialect.varchar(32))
        .addColumn('summary', dialect.text)
        .addColumn('report', dialect.text)
        .addColumn('log', dialect.text)
        .addUniqueConstraint('scan_reports_key', ['digest', 'registration_uuid', 'mime_type'])
        .execute();
      // CVE allowlists: the system's (project_id 0) and each project's.
      await db.schema
        .createTable('cve_allowlists')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('project_id', 'integer', (c) => c.notNull().unique())
        .addColumn('items', dialect.text, (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .execute();
    },
  };
}
