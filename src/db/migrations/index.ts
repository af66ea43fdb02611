import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.js';
import { registryCore } from './001_registry.js';
import { identityAndAccess } from './002_iam.js';
import { jobService } from './003_jobs.js';
import { listingIndexes } from './004_listing_indexes.js';
import { loginThrottle } from './005_login_throttle.js';
import { uploadOwner } from './006_upload_owner.js';
import { storageAccounting } from './007_storage_accounting.js';
import { garbageCollection } from './008_gc.js';
import { quotas } from './009_quotas.js';
import { immutableRules } from './010_immutable_rules.js';
import { labels } from './011_labels.js';
import { retention } from './012_retention.js';
import { vulnDb } from './013_vulndb.js';
import { scanners } from './014_scanners.js';
import { scanAll } from './015_scan_all.js';
import { scanVulnerabilities } from './016_scan_vulnerabilities.js';
import { cveExport } from './017_cve_export.js';

/** Numbered migrations, in order; the same list runs on SQLite and PostgreSQL. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '001_registry': registryCore(dialect),
    '002_iam': identityAndAccess(dialect),
    '003_jobs': jobService(dialect),
    '004_listing_indexes': listingIndexes(),
    '005_login_throttle': loginThrottle(dialect),
    '006_upload_owner': uploadOwner(dialect),
    '007_storage_accounting': storageAccounting(dialect),
    '008_gc': garbageCollection(dialect),
    '009_quotas': quotas(dialect),
    '010_immutable_rules': immutableRules(dialect),
    '011_labels': labels(dialect),
    '012_retention': retention(dialect),
    '013_vulndb': vulnDb(dialect),
    '014_scanners': scanners(dialect),
    '015_scan_all': scanAll(dialect),
    '016_scan_vulnerabilities': scanVulnerabilities(dialect),
    '017_cve_export': cveExport(dialect),
  };
  return { getMigrations: async () => migrations };
}
