import type { Kysely } from 'kysely';
import type { ArtifactService } from '../artifacts/index.js';
import type { Database } from '../db/index.js';
import type { Feature } from '../feature.js';
import type { JobService } from '../jobs/index.js';
import type { Registry } from '../registry/index.js';
import type { AccessControl } from '../iam/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { BlobStore } from '../storage/index.js';
import { adapterScanJob } from './adapter-scan/job.js';
import { createCveExport } from './cve-export/index.js';
import { importJob } from './database/job.js';
import { databaseRoutes } from './database/routes.js';
import { createAllowlists, parseAllowlist } from './policy/allowlists.js';
import { autoScanSubscriber } from './policy/auto-scan.js';
import { vulnerabilityPullCheck } from './policy/pull-check.js';
import { allowlistRoutes } from './policy/routes.js';
import { builtinMetadata } from './scanners/builtin.js';
import { createRegistrationRepo } from './scanners/repo.js';
import { scannerRoutes } from './scanners/routes.js';
import { createScannerService, type ScannerService } from './scanners/service.js';
import { scanJob } from './scans/job.js';
import { createReportRepo } from './scans/repo.js';
import { createScanAll } from './scan-all/index.js';
import { createSecurityHub } from './security-hub/index.js';
import { scanRoutes } from './scans/routes.js';
import { createScanService, type ScanService } from './scans/service.js';
import { createVulnDb } from './vulndb/index.js';

// Vulnerability scanning as a feature: Harbor's scanner registrations (the built-in scanner,
// registered on start, and adapters of the pluggable scanner API), each project's scanner,
// scans of artifacts on the job service with their reports, overviews and logs; and the
// built-in scanner's parts: the image analysis, each ecosystem's version ordering, the OSV
// database it matches packages against.

export { versionOrder, type VersionCompare } from './versions/index.js';
export type { ScannerService } from './scanners/service.js';
export type { ScanService } from './scans/service.js';
export { importAdvisories, describeImport, createVulnDb, type ImportSummary } from './vulndb/index.js';
export { startScannerServer, type ScannerServer, type ScannerServerOptions } from './adapter-scan/server.js';

export interface ScanningFeatureDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** Berth's version, which the built-in scanner reports as its own. */
  version: string;
  registry: Pick<Registry, 'manifests' | 'blobs' | 'uploads'>;
  /** Berth's external URL (read when needed: a test server learns its port after listening). */
  externalUrl: () => string;
  /** The blob store, where uploaded vulnerability databases wait for their import. */
  store: BlobStore;
  artifacts: Pick<ArtifactService, 'getArtifact'>;
  /** The job service, which main.ts builds after the features. */
  jobs: () => JobService;
  /** Projects' pull policies (prevent_vul, severity, reuse_sys_cve_allowlist), cached and invalidated with permissions. */
  access: Pick<AccessControl, 'project'>;
  logger: Logger;
  /** The URL Berth listens on: adapters registered with use_internal_addr reach its /v2 there. */
  internalUrl: () => string;
  /** A short-lived bearer token that pulls `repository` and nothing else, handed to a scanner adapter. */
  pullToken: (repository: string) => Promise<string>;
}

export interface ScanningFeature extends Feature {
  scanners: ScannerService;
  scans: ScanService;
  /** Registers the built-in scanner when it is not yet (every replica, on start). */
  start(): Promise<void>;
}

export function scanningFeature(deps: ScanningFeatureDeps): ScanningFeature {
  const { db, clock, version, registry, store, artifacts, jobs } = deps;
  const vulnDb = createVulnDb(db);
  const allowlists = createAllowlists(db, clock);
  const scanners = createScannerService({
    repo: createRegistrationRepo(db),
    clock,
    builtinMetadata: async () => builtinMetadata(version, await vulnDb.status()),
  });
  const reports = createReportRepo(db);
  const scans = createScanService({ reports, scanners, artifacts, registry, jobs, clock });
  const scanAll = createScanAll({ db, clock, scans, jobs });
  const cveExport = createCveExport({ db, clock, store, scanners, jobs });
  const scanner = { name: 'Berth', vendor: 'Berth', version };
  return {
    name: 'scanning',
    scanners,
    scans,
    start: () => scanners.ensureBuiltin(),
    routes: (app, kit) => {
      scannerRoutes(app, kit, scanners);
      scanRoutes(app, kit, scans);
      scanAll.routes(app, kit);
      databaseRoutes(app, kit, { db, vulnDb, store, jobs });
      allowlistRoutes(app, kit, allowlists);
      cveExport.routes(app, kit);
      createSecurityHub(db).routes(app, kit);
    },
    projectFields: {
      async read(projectIds) {
        const shown = await Promise.all(
          projectIds.map(async (id) => [id, { cve_allowlist: await allowlists.get(id) }] as const),
        );
        return new Map(shown);
      },
      check(request) {
        if (request.cve_allowlist !== undefined && request.cve_allowlist !== null)
          parseAllowlist(request.cve_allowlist);
      },
      async write(projectId, request) {
        if (request.cve_allowlist !== undefined && request.cve_allowlist !== null)
          await allowlists.set(projectId, request.cve_allowlist);
      },
    },
    pullChecks: [
      vulnerabilityPullCheck({ project: (name) => deps.access.project(name), scanners, reports, allowlists }),
    ],
    subscribers: [autoScanSubscriber({ db, registry, scans, logger: deps.logger })],
    jobs: [
      scanJob({
        reports,
        registry,
        registryWrites: registry,
        vulnDb,
        clock,
        scanner: () => scanner,
        externalUrl: deps.externalUrl,
      }),
      importJob({ db, store, clock }),
      scanAll.job,
      cveExport.job,
      adapterScanJob({
        reports,
        registrations: createRegistrationRepo(db),
        clock,
        registryURL: deps.externalUrl,
        internalRegistryURL: deps.internalUrl,
        pullToken: deps.pullToken,
      }),
    ],
  };
}
