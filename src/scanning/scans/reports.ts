import { severities, type Analysis, type Finding, type Severity, type VulnDbStatus } from '../model.js';

// Harbor's vulnerability report (pkg/scan/vuln/report.go, the pluggable scanner API's
// `application/vnd.security.vulnerability.report; version=1.1`) from the built-in scanner's
// findings, and its summary (report.GenerateSummary): the highest severity, counts by
// severity, how many have a fix. What the scan could not see (an empty or stale database, a
// package database it does not read) is said in the report's `notes`, and an empty database
// makes the severity Unknown rather than None: "no vulnerabilities" is never claimed blind.

export interface HarborScanner {
  name: string;
  vendor: string;
  version: string;
}

export interface VulnerabilityItem {
  id: string;
  package: string;
  version: string;
  fix_version: string;
  severity: Severity;
  description: string;
  links: string[];
  artifact_digest: string;
  preferred_cvss: { score_v3: number; score_v2: number; vector_v3: string; vector_v2: string };
  cwe_ids: string[];
  vendor_attributes: Record<string, unknown>;
}

export interface VulnerabilityReport {
  generated_at: string;
  scanner: HarborScanner;
  severity: Severity;
  vulnerabilities: VulnerabilityItem[];
  /** Berth's additions: what the scan could not see, and the database it matched against. */
  notes: string[];
  vulnerability_database: VulnDbStatus;
}

export interface ReportSummary {
  severity: Severity;
  total: number;
  fixable: number;
  summary: Partial<Record<Severity, number>>;
}

/** A database older than this is called stale in the report's notes. */
export const staleAfterDays = 7;

const rank = (severity: Severity) => severities.indexOf(severity);

export function highest(values: Iterable<Severity>, fallback: Severity = 'None'): Severity {
  let top = fallback;
  for (const value of values) if (rank(value) > rank(top)) top = value;
  return top;
}

function item(finding: Finding, artifactDigest: string): VulnerabilityItem {
  const { package: pkg } = finding;
  return {
    id: finding.id,
    package: pkg.name,
    version: pkg.version,
    fix_version: finding.fixVersion ?? '',
    severity: finding.severity,
    description: finding.description || finding.summary,
    links: finding.links,
    artifact_digest: artifactDigest,
    preferred_cvss: {
      score_v3: finding.cvss?.scoreV3 ?? 0,
      score_v2: finding.cvss?.scoreV2 ?? 0,
      vector_v3: finding.cvss?.vectorV3 ?? '',
      vector_v2: finding.cvss?.vectorV2 ?? '',
    },
    cwe_ids: finding.cweIds,
    vendor_attributes: {
      aliases: finding.aliases,
      ecosystem: pkg.ecosystem,
      purl: pkg.purl,
      layer: pkg.layer,
      path: pkg.path,
      ...(pkg.sourceName ? { source_package: pkg.sourceName } : {}),
      ...(finding.summary ? { title: finding.summary } : {}),
    },
  };
}

/** Notes on the database: empty, or older than `staleAfterDays`, or without the image's ecosystems. */
export function databaseNotes(db: VulnDbStatus, analysis: Analysis, now: Date): string[] {
  if (db.advisories === 0)
    return ['the vulnerability database is empty: import one (berth vulndb import) and scan again'];
  const notes: string[] = [];
  const age = db.updatedAt ?? db.importedAt;
  if (age && now.getTime() - Date.parse(age) > staleAfterDays * 86_400_000)
    notes.push(`the vulnerability database is stale: its newest advisory is of ${age}`);
  const known = new Set(db.ecosystems);
  const missing = [...new Set(analysis.packages.map((p) => p.ecosystem))].filter((e) => !known.has(e)).sort();
  if (missing.length > 0)
    notes.push(
      `the vulnerability database has no advisories for ${missing.join(', ')}: those packages were not checked`,
    );
  return notes;
}

export function buildReport(input: {
  findings: Finding[];
  analysis: Analysis;
  db: VulnDbStatus;
  scanner: HarborScanner;
  artifactDigest: string;
  now: Date;
}): VulnerabilityReport {
  const vulnerabilities = input.findings
    .map((f) => item(f, input.artifactDigest))
    .sort(
      (a, b) => rank(b.severity) - rank(a.severity) || a.package.localeCompare(b.package) || a.id.localeCompare(b.id),
    );
  const empty = input.db.advisories === 0;
  return {
    generated_at: input.now.toISOString(),
    scanner: input.scanner,
    severity: highest(
      vulnerabilities.map((v) => v.severity),
      empty ? 'Unknown' : 'None',
    ),
    vulnerabilities,
    notes: [...databaseNotes(input.db, input.analysis, input.now), ...input.analysis.notes],
    vulnerability_database: input.db,
  };
}

export function summarize(report: Pick<VulnerabilityReport, 'severity' | 'vulnerabilities'>): ReportSummary {
  const summary: Partial<Record<Severity, number>> = {};
  for (const v of report.vulnerabilities) summary[v.severity] = (summary[v.severity] ?? 0) + 1;
  return {
    severity: report.severity,
    total: report.vulnerabilities.length,
    fixable: report.vulnerabilities.filter((v) => v.fix_version !== '').length,
    summary,
  };
}

/** The summaries of an index's children as one (Harbor's report.MergeSummary). */
export function mergeSummaries(parts: ReportSummary[]): ReportSummary {
  const summary: Partial<Record<Severity, number>> = {};
  for (const part of parts)
    for (const [severity, count] of Object.entries(part.summary) as [Severity, number][])
      summary[severity] = (summary[severity] ?? 0) + count;
  return {
    severity: highest(parts.map((p) => p.severity)),
    total: parts.reduce((n, p) => n + p.total, 0),
    fixable: parts.reduce((n, p) => n + p.fixable, 0),
    summary,
  };
}
