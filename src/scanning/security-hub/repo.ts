import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { vulnerabilityReportTypes } from '../scanners/adapter.js';
import type { VulnerabilityFilter } from './filter.js';

// The security hub's SQL (Harbor's pkg/securityhub/dao/security.go) over the findings of
// vulnerability reports (scan_vulnerabilities): a finding counts once per artifact whose digest
// the report belongs to, and only reports of one scanner count (the system default, as in
// Harbor). Every aggregate runs in the database; lists are paged or walked by keyset.

type Db = Kysely<Database>;

/** One finding of one artifact: a row of GET /security/vul and of the CVE export. */
export interface VulnerabilityRow {
  artifactId: number;
  projectId: number;
  /** The full name ('library/app'). */
  repositoryName: string;
  digest: string;
  /** The finding's row id (scan_vulnerabilities.id): with artifactId, a stable order. */
  findingId: number;
  cveId: string;
  package: string;
  version: string;
  /** '' when no fix is known. */
  fixVersion: string;
  severity: string;
  cvssScoreV3: number | null;
  cvssScoreV2: number | null;
  cvssVectorV3: string;
  cvssVectorV2: string;
  /** Comma-separated CWE ids ('CWE-79,CWE-89'). */
  cweIds: string;
  description: string;
  links: string[];
}

export interface SeverityCount {
  /** 0 None … 5 Critical (scan_vulnerabilities.severity_rank). */
  rank: number;
  count: number;
  fixable: number;
}

export interface DangerousArtifactRow {
  projectId: number;
  repositoryName: string;
  digest: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
}

export interface DangerousCveRow {
  cveId: string;
  package: string;
  version: string;
  cvssScoreV3: number;
  /** The highest severity rank the finding has in any report. */
  rank: number;
  description: string;
}

/** The rows the hub reads: findings of `registrationUuid`'s vulnerability reports, once per artifact of the digest. */
function findings(db: Db, registrationUuid: string) {
  return db
    .selectFrom('scan_vulnerabilities as v')
    .innerJoin('scan_reports as r', 'r.id', 'v.report_id')
    .innerJoin('artifacts as a', 'a.digest', 'r.digest')
    .innerJoin('repositories as repo', 'repo.id', 'a.repository_id')
    .innerJoin('projects as p', 'p.id', 'repo.project_id')
    .where('r.registration_uuid', '=', registrationUuid)
    .where('r.mime_type', 'in', vulnerabilityReportTypes);
}

type Findings = ReturnType<typeof findings>;

function filtered(db: Db, registrationUuid: string, filter: VulnerabilityFilter): Findings {
  let q = findings(db, registrationUuid);
  const any = <T>(values: readonly T[]) => (values.length > 0 ? [...values] : undefined);
  const never = (query: Findings) => query.where(sql<boolean>`1 = 0`);
  const lists = [
    ['v.cve_id', filter.cveIds],
    ['v.severity', filter.severities],
    ['repo.name', filter.repositoryNames],
    ['v.package', filter.packages],
    ['a.digest', filter.digests],
  ] as const;
  for (const [column, values] of lists) {
    if (values === undefined) continue;
    const list = any(values);
    q = list ? q.where(column, 'in', list) : never(q);
  }
  if (filter.projectIds !== undefined) {
    const list = any(filter.projectIds);
    q = list ? q.where('p.id', 'in', list) : never(q);
  }
  if (filter.tags !== undefined) {
    const list = any(filter.tags);
    q = list
      ? q.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('tags as t').select('t.id').whereRef('t.artifact_id', '=', 'a.id').where('t.name', 'in', list),
          ),
        )
      : never(q);
  }
  if (filter.cvssV3) {
    const { min, max } = filter.cvssV3;
    q = q.where('v.cvss_score_v3', 'is not', null);
    if (min !== undefined) q = q.where('v.cvss_score_v3', '>=', min);
    if (max !== undefined) q = q.where('v.cvss_score_v3', '<=', max);
  }
  return q;
}

function rowColumns(q: Findings) {
  return q.select([
    'a.id as artifactId',
    'p.id as projectId',
    'repo.name as repositoryName',
    'a.digest',
    'v.id as findingId',
    'v.cve_id',
    'v.package',
    'v.version',
    'v.fix_version',
    'v.severity',
    'v.cvss_score_v3',
    'v.cvss_score_v2',
    'v.cvss_vector_v3',
    'v.cvss_vector_v2',
    'v.cwe_ids',
    'v.description',
    'v.links',
  ]);
}

type SelectedRow = Awaited<ReturnType<ReturnType<typeof rowColumns>['execute']>>[number];

function toRow(row: SelectedRow): VulnerabilityRow {
  return {
    artifactId: row.artifactId,
    projectId: row.projectId,
    repositoryName: row.repositoryName,
    digest: row.digest,
    findingId: row.findingId,
    cveId: row.cve_id,
    package: row.package,
    version: row.version,
    fixVersion: row.fix_version,
    severity: row.severity,
    cvssScoreV3: row.cvss_score_v3 === null ? null : Number(row.cvss_score_v3),
    cvssScoreV2: row.cvss_score_v2 === null ? null : Number(row.cvss_score_v2),
    cvssVectorV3: row.cvss_vector_v3,
    cvssVectorV2: row.cvss_vector_v2,
    cweIds: row.cwe_ids,
    description: row.description,
    links: parseLinks(row.links),
  };
}

function parseLinks(text: string): string[] {
  try {
    const links: unknown = JSON.parse(text);
    return Array.isArray(links) ? links.filter((link): link is string => typeof link === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * A page of the findings `filter` selects among `registrationUuid`'s vulnerability reports, in
 * Harbor's order (CVSS v3 score, highest first, unscored last), then artifact and finding id.
 * For GET /security/vul.
 */
export async function listVulnerabilities(
  db: Db,
  registrationUuid: string,
  filter: VulnerabilityFilter,
  page: { offset: number; limit: number },
): Promise<VulnerabilityRow[]> {
  const rows = await rowColumns(filtered(db, registrationUuid, filter))
    .orderBy(sql`case when v.cvss_score_v3 is null then 1 else 0 end`)
    .orderBy('v.cvss_score_v3', 'desc')
    .orderBy('a.id')
    .orderBy('v.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toRow);
}

/**
 * How many findings `filter` selects; with `atMost`, counting stops past that many and answers
 * undefined (Harbor's tune_count: no full count of a large table).
 */
export async function countVulnerabilities(
  db: Db,
  registrationUuid: string,
  filter: VulnerabilityFilter,
  atMost?: number,
): Promise<number | undefined> {
  if (atMost !== undefined) {
    const beyond = await filtered(db, registrationUuid, filter)
      .select('v.id')
      .limit(1)
      .offset(atMost)
      .executeTakeFirst();
    if (beyond) return undefined;
  }
  const row = await filtered(db, registrationUuid, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The first `perArtifact` tags of each artifact (oldest first). */
export async function tagsOf(
  db: Db,
  artifactIds: readonly number[],
  perArtifact: number,
): Promise<Map<number, string[]>> {
  const tags = new Map<number, string[]>();
  if (artifactIds.length === 0) return tags;
  const ranked = db
    .selectFrom('tags')
    .select([
      'artifact_id',
      'name',
      sql<number>`row_number() over (partition by artifact_id order by push_time, id)`.as('position'),
    ])
    .where('artifact_id', 'in', [...new Set(artifactIds)]);
  const rows = await db
    .selectFrom(ranked.as('t'))
    .select(['t.artifact_id', 't.name'])
    .where('t.position', '<=', perArtifact)
    .orderBy('t.artifact_id')
    .orderBy('t.position')
    .execute();
  for (const row of rows) tags.set(row.artifact_id, [...(tags.get(row.artifact_id) ?? []), row.name]);
  return tags;
}

/** Findings per severity rank, and how many of them have a fix, over every artifact. */
export async function severityCounts(db: Db, registrationUuid: string): Promise<SeverityCount[]> {
  const rows = await findings(db, registrationUuid)
    .select((eb) => [
      'v.severity_rank',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.sum<number | string>(sql`case when v.fix_version <> '' then 1 else 0 end`).as('fixable'),
    ])
    .groupBy('v.severity_rank')
    .execute();
  return rows.map((row) => ({ rank: row.severity_rank, count: Number(row.n), fixable: Number(row.fixable) }));
}

export async function totalArtifacts(db: Db): Promise<number> {
  const row = await db
    .selectFrom('artifacts')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Artifacts whose digest has a vulnerability report (of any status) by the scanner, as Harbor counts them. */
export async function scannedArtifacts(db: Db, registrationUuid: string): Promise<number> {
  const row = await db
    .selectFrom('artifacts as a')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('scan_reports as r')
          .select('r.id')
          .whereRef('r.digest', '=', 'a.digest')
          .where('r.registration_uuid', '=', registrationUuid)
          .where('r.mime_type', 'in', vulnerabilityReportTypes),
      ),
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const rankCount = (rank: number) => sql<number | string>`sum(case when v.severity_rank = ${rank} then 1 else 0 end)`;

/** The `limit` artifacts with most critical, then high, medium and low findings (some at least Low). */
export async function dangerousArtifacts(
  db: Db,
  registrationUuid: string,
  limit: number,
): Promise<DangerousArtifactRow[]> {
  const rows = await findings(db, registrationUuid)
    .where('v.severity_rank', '>=', 2)
    .select([
      'a.id',
      'p.id as projectId',
      'repo.name as repositoryName',
      'a.digest',
      rankCount(5).as('critical'),
      rankCount(4).as('high'),
      rankCount(3).as('medium'),
      rankCount(2).as('low'),
    ])
    .groupBy(['a.id', 'p.id', 'repo.name', 'a.digest'])
    .orderBy('critical', 'desc')
    .orderBy('high', 'desc')
    .orderBy('medium', 'desc')
    .orderBy('low', 'desc')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    projectId: row.projectId,
    repositoryName: row.repositoryName,
    digest: row.digest,
    critical: Number(row.critical),
    high: Number(row.high),
    medium: Number(row.medium),
    low: Number(row.low),
  }));
}

/**
 * The `limit` most dangerous vulnerabilities (a CVE in a package version, found in some
 * artifact): highest CVSS v3 score first, then severity; unscored ones are left out, as Harbor does.
 */
export async function dangerousCves(db: Db, registrationUuid: string, limit: number): Promise<DangerousCveRow[]> {
  const rows = await findings(db, registrationUuid)
    .where('v.cvss_score_v3', 'is not', null)
    .select((eb) => [
      'v.cve_id',
      'v.package',
      'v.version',
      eb.fn.max('v.cvss_score_v3').as('score'),
      eb.fn.max('v.severity_rank').as('rank'),
      eb.fn.min('v.description').as('description'),
    ])
    .groupBy(['v.cve_id', 'v.package', 'v.version'])
    .orderBy('score', 'desc')
    .orderBy('rank', 'desc')
    .orderBy('v.cve_id')
    .orderBy('v.package')
    .orderBy('v.version')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    cveId: row.cve_id,
    package: row.package,
    version: row.version,
    cvssScoreV3: Number(row.score),
    rank: Number(row.rank),
    description: row.description,
  }));
}

/** The system default scanner's registration uuid; undefined when none is registered. */
export async function defaultScannerUuid(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('scanner_registrations')
    .select('uuid')
    .where('is_default', '=', 1)
    .executeTakeFirst();
  return row?.uuid;
}
