import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// The vulnerabilities of each successful vulnerability report, one row each (Harbor's
// vulnerability_record and report_vulnerability_record, in one table as a report's rows are
// written and dropped together): what the security hub searches and counts and the CVE export
// writes, without parsing report bodies. Written in the transaction that stores the report;
// deleted with it.
export function scanVulnerabilities(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('scan_vulnerabilities')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('report_id', 'integer', (c) => c.notNull().references('scan_reports.id').onDelete('cascade'))
        .addColumn('cve_id', dialect.varchar(128), (c) => c.notNull())
        .addColumn('package', dialect.varchar(255), (c) => c.notNull())
        .addColumn('version', dialect.varchar(255), (c) => c.notNull())
        .addColumn('fix_version', dialect.varchar(255), (c) => c.notNull())
        .addColumn('severity', dialect.varchar(16), (c) => c.notNull())
        // The severity's rank (None 0 … Critical 5): "at least High" and sorting by severity.
        .addColumn('severity_rank', 'integer', (c) => c.notNull())
        .addColumn('cvss_score_v3', 'real')
        .addColumn('cvss_score_v2', 'real')
        .addColumn('cvss_vector_v3', dialect.varchar(256), (c) => c.notNull())
        .addColumn('cvss_vector_v2', dialect.varchar(256), (c) => c.notNull())
        .addColumn('cwe_ids', dialect.varchar(1024), (c) => c.notNull())
        .addColumn('description', dialect.text, (c) => c.notNull())
        // JSON string[].
        .addColumn('links', dialect.text, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('scan_vulnerabilities_report')
        .on('scan_vulnerabilities')
        .column('report_id')
        .execute();
      await db.schema.createIndex('scan_vulnerabilities_cve').on('scan_vulnerabilities').column('cve_id').execute();
      await db.schema
        .createIndex('scan_vulnerabilities_package')
        .on('scan_vulnerabilities')
        .column('package')
        .execute();
      await db.schema.createIndex('scan_reports_digest').on('scan_reports').column('digest').execute();
    },
  };
}
