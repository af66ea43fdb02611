import { BerthError } from '../../shared/errors.js';
import { severities, type Severity } from '../model.js';
import { harborReportType, vulnerabilityReportType, type AdapterMetadata } from '../scanners/adapter.js';
import { highest, type HarborScanner, type VulnerabilityItem, type VulnerabilityReport } from '../scans/reports.js';

// What Berth accepts from a scanner adapter as a vulnerability report (the pluggable scanner
// API's HarborVulnerabilityReport): checked field by field, so a report stored from an adapter
// reads like one the built-in scanner wrote, and a malformed one fails the scan with a reason
// instead of breaking the overviews, the portal or the pull policy later.

/** A report as an adapter sends it: Berth's report without the built-in scanner's database status. */
export type AdapterReport = Omit<VulnerabilityReport, 'vulnerability_database'>;

/** The report type to ask an adapter for: the richer one when it writes it (as Harbor prefers), else Harbor's native one. */
export function reportTypeOf(meta: AdapterMetadata): string | undefined {
  const produced = meta.capabilities
    .filter((c) => (c.type ?? 'vulnerability') === 'vulnerability')
    .flatMap((c) => c.produces_mime_types);
  return [vulnerabilityReportType, harborReportType].find((type) => produced.includes(type));
}

const invalid = (reason: string) =>
  new BerthError('UNPROCESSABLE_ENTITY', `the adapter's report is invalid: ${reason}`);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function severityOf(value: unknown, where: string): Severity {
  // Harbor's scale has Negligible (Clair's "theoretical" problems), Berth's does not: it counts as Low.
  if (value === 'Negligible') return 'Low';
  if (typeof value === 'string' && (severities as readonly string[]).includes(value)) return value as Severity;
  throw invalid(`${where} has severity ${JSON.stringify(value)?.slice(0, 40) ?? 'undefined'}, not one of Harbor's`);
}

const str = (value: unknown, max = 64 * 1024): string => (typeof value === 'string' ? value.slice(0, max) : '');
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const score = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function itemOf(value: unknown, index: number, artifactDigest: string): VulnerabilityItem {
  const where = `vulnerability ${String(index)}`;
  if (!isObject(value)) throw invalid(`${where} is not an object`);
  if (typeof value.id !== 'string' || !value.id) throw invalid(`${where} has no id`);
  if (typeof value.package !== 'string') throw invalid(`${where} (${value.id.slice(0, 64)}) has no package`);
  const cvss = isObject(value.preferred_cvss) ? value.preferred_cvss : {};
  return {
    id: value.id.slice(0, 256),
    package: value.package.slice(0, 512),
    version: str(value.version, 512),
    fix_version: str(value.fix_version, 512),
    severity: severityOf(value.severity, `${where} (${value.id.slice(0, 64)})`),
    description: str(value.description),
    links: strings(value.links),
    artifact_digest: str(value.artifact_digest, 128) || artifactDigest,
    preferred_cvss: {
      score_v3: score(cvss.score_v3),
      score_v2: score(cvss.score_v2),
      vector_v3: str(cvss.vector_v3, 256),
      vector_v2: str(cvss.vector_v2, 256),
    },
    cwe_ids: strings(value.cwe_ids),
    vendor_attributes: isObject(value.vendor_attributes) ? value.vendor_attributes : {},
  };
}

/**
 * The adapter's report, checked: a vulnerabilities array whose items have an id, a package and
 * one of Harbor's severities; missing optional fields filled in; `notes` kept or added.
 */
export function checkAdapterReport(value: unknown, scanner: HarborScanner, artifactDigest: string): AdapterReport {
  if (!isObject(value)) throw invalid('it is not a JSON object');
  if (!Array.isArray(value.vulnerabilities)) throw invalid('it has no vulnerabilities array');
  const vulnerabilities = value.vulnerabilities.map((item, i) => itemOf(item, i, artifactDigest));
  const reported = isObject(value.scanner) ? value.scanner : {};
  return {
    generated_at: str(value.generated_at, 64) || new Date().toISOString(),
    scanner: {
      name: str(reported.name, 256) || scanner.name,
      vendor: str(reported.vendor, 256) || scanner.vendor,
      version: str(reported.version, 256) || scanner.version,
    },
    severity:
      value.severity === undefined || value.severity === ''
        ? highest(vulnerabilities.map((v) => v.severity))
        : severityOf(value.severity, 'the report'),
    vulnerabilities,
    notes: strings(value.notes),
  };
}
