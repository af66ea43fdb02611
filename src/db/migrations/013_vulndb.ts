import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// The built-in scanner's vulnerability database, imported from OSV (osv.dev's per-ecosystem
// all.zip): one row per advisory, one per affected package (looked up by ecosystem with its
// release, e.g. 'Debian:12', and package name), and one per import for `berth vulndb status`.
// Lists (aliases, ranges, versions, …) are JSON text: they are read whole, never queried into.
export function vulnDb(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('vuln_advisories')
        .addColumn('id', dialect.varchar(128), (c) => c.primaryKey())
        .addColumn('modified', dialect.varchar(32), (c) => c.notNull())
        .addColumn('published', dialect.varchar(32))
        .addColumn('withdrawn', dialect.varchar(32))
        .addColumn('aliases', dialect.text, (c) => c.notNull())
        .addColumn('summary', dialect.text, (c) => c.notNull())
        .addColumn('details', dialect.text, (c) => c.notNull())
        .addColumn('severity', dialect.varchar(16), (c) => c.notNull())
        .addColumn('cvss_v3_score', 'double precision')
        .addColumn('cvss_v3_vector', dialect.varchar(256))
        .addColumn('cvss_v2_score', 'double precision')
        .addColumn('cvss_v2_vector', dialect.varchar(256))
        .addColumn('cwe_ids', dialect.text, (c) => c.notNull())
        .addColumn('reference_urls', dialect.text, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('vuln_affected')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('advisory_id', dialect.varchar(128), (c) =>
          c.notNull().references('vuln_advisories.id').onDelete('cascade'),
        )
        .addColumn('ecosystem', dialect.varchar(128), (c) => c.notNull())
        .addColumn('package_name', dialect.varchar(512), (c) => c.notNull())
        .addColumn('ranges', dialect.text, (c) => c.notNull())
        .addColumn('versions', dialect.text, (c) => c.notNull())
        .addColumn('fixed_versions', dialect.text, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('vuln_affected_package')
        .on('vuln_affected')
        .columns(['ecosystem', 'package_name'])
        .execute();
      await db.schema.createIndex('vuln_affected_advisory').on('vuln_affected').column('advisory_id').execute();
      await db.schema
        .createTable('vuln_db_meta')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('imported_at', dialect.varchar(32), (c) => c.notNull())
        .addColumn('source', dialect.text, (c) => c.notNull())
        .addColumn('imported', 'integer', (c) => c.notNull())
        .addColumn('updated', 'integer', (c) => c.notNull())
        .addColumn('unchanged', 'integer', (c) => c.notNull())
        .addColumn('skipped', 'integer', (c) => c.notNull())
        .addColumn('withdrawn', 'integer', (c) => c.notNull())
        .execute();
    },
  };
}
