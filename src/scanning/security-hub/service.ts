import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { severities } from '../model.js';
import type { VulnerabilityFilter } from './filter.js';
import {
  countVulnerabilities,
  dangerousArtifacts,
  dangerousCves,
  defaultScannerUuid,
  listVulnerabilities,
  scannedArtifacts,
  severityCounts,
  tagsOf,
  totalArtifacts,
  type VulnerabilityRow,
} from './repo.js';

// Harbor's security hub (controller/securityhub/controller.go): the system's vulnerabilities
// as the default scanner's reports found them, summed up and listed. Without a default
// scanner everything is empty, as in Harbor.

/** Harbor's SecuritySummary. */
export interface SecuritySummary {
  critical_cnt: number;
  high_cnt: number;
  medium_cnt: number;
  low_cnt: number;
  none_cnt: number;
  unknown_cnt: number;
  total_vuls: number;
  scanned_cnt: number;
  total_artifact: number;
  fixable_cnt: number;
  dangerous_cves?: DangerousCve[];
  dangerous_artifacts?: DangerousArtifact[];
}

/** Harbor's DangerousCVE. */
export interface DangerousCve {
  cve_id: string;
  severity: string;
  cvss_score_v3: number;
  desc: string;
  package: string;
  version: string;
}

/** Harbor's DangerousArtifact. */
export interface DangerousArtifact {
  project_id: number;
  repository_name: string;
  digest: string;
  critical_cnt: number;
  high_cnt: number;
  medium_cnt: number;
}

/** Harbor's VulnerabilityItem; like Harbor, a finding's empty fields are left out. */
export interface VulnerabilityItem {
  project_id: number;
  repository_name: string;
  digest: string;
  tags?: string[];
  cve_id: string;
  severity: string;
  cvss_v3_score?: number;
  package: string;
  version: string;
  fixed_version?: string;
  desc?: string;
  links: string[];
}

/** How many of each the summary's top lists hold (Harbor: 5). */
const topCount = 5;
/** Tags shown per finding with with_tag (Harbor: 10). */
const tagsShown = 10;
/** tune_count: totals above this are not counted (Harbor: 1000). */
const countLimit = 1000;

export interface SummaryOptions {
  withDangerousCves: boolean;
  withDangerousArtifacts: boolean;
}

export interface ListOptions {
  offset: number;
  limit: number;
  /** Each finding's artifact's tags (its first ten). */
  withTag: boolean;
  /** Stop counting above Harbor's 1000 and answer a total of -1. */
  tuneCount: boolean;
}

const emptySummary = (): SecuritySummary => ({
  critical_cnt: 0,
  high_cnt: 0,
  medium_cnt: 0,
  low_cnt: 0,
  none_cnt: 0,
  unknown_cnt: 0,
  total_vuls: 0,
  scanned_cnt: 0,
  total_artifact: 0,
  fixable_cnt: 0,
});

const summaryField = {
  None: 'none_cnt',
  Unknown: 'unknown_cnt',
  Low: 'low_cnt',
  Medium: 'medium_cnt',
  High: 'high_cnt',
  Critical: 'critical_cnt',
} as const;

export function createSecurityHubService(db: Kysely<Database>) {
  return {
    async summary(options: SummaryOptions): Promise<SecuritySummary> {
      const scanner = await defaultScannerUuid(db);
      if (!scanner) return emptySummary();
      const summary = emptySummary();
      for (const { rank, count, fixable } of await severityCounts(db, scanner)) {
        const severity = severities[rank] ?? 'Unknown';
        summary[summaryField[severity]] += count;
        summary.total_vuls += count;
        summary.fixable_cnt += fixable;
      }
      summary.total_artifact = await totalArtifacts(db);
      summary.scanned_cnt = await scannedArtifacts(db, scanner);
      if (options.withDangerousCves)
        summary.dangerous_cves = (await dangerousCves(db, scanner, topCount)).map((row) => ({
          cve_id: row.cveId,
          severity: severities[row.rank] ?? 'Unknown',
          cvss_score_v3: row.cvssScoreV3,
          desc: row.description,
          package: row.package,
          version: row.version,
        }));
      if (options.withDangerousArtifacts)
        summary.dangerous_artifacts = (await dangerousArtifacts(db, scanner, topCount)).map((row) => ({
          project_id: row.projectId,
          repository_name: row.repositoryName,
          digest: row.digest,
          critical_cnt: row.critical,
          high_cnt: row.high,
          medium_cnt: row.medium,
        }));
      return summary;
    },

    /** A page of findings and the total (-1 when tune_count stopped counting). */
    async vulnerabilities(
      filter: VulnerabilityFilter,
      options: ListOptions,
    ): Promise<{ items: VulnerabilityItem[]; total: number }> {
      const scanner = await defaultScannerUuid(db);
      if (!scanner) return { items: [], total: 0 };
      const total = await countVulnerabilities(db, scanner, filter, options.tuneCount ? countLimit : undefined);
      const rows = await listVulnerabilities(db, scanner, filter, options);
      const tags = options.withTag
        ? await tagsOf(
            db,
            rows.map((row) => row.artifactId),
            tagsShown,
          )
        : undefined;
      return {
        items: rows.map((row) => vulnerabilityItem(row, tags && (tags.get(row.artifactId) ?? []))),
        total: total ?? -1,
      };
    },
  };
}

export type SecurityHubService = ReturnType<typeof createSecurityHubService>;

function vulnerabilityItem(row: VulnerabilityRow, tags: string[] | undefined): VulnerabilityItem {
  return {
    project_id: row.projectId,
    repository_name: row.repositoryName,
    digest: row.digest,
    ...(tags ? { tags } : {}),
    cve_id: row.cveId,
    severity: row.severity,
    ...(row.cvssScoreV3 ? { cvss_v3_score: row.cvssScoreV3 } : {}),
    package: row.package,
    version: row.version,
    ...(row.fixVersion ? { fixed_version: row.fixVersion } : {}),
    ...(row.description ? { desc: row.description } : {}),
    links: row.links,
  };
}
