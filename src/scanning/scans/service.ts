import type { ArtifactService, HarborArtifact } from '../../artifacts/index.js';
import type { JobService } from '../../jobs/index.js';
import type { Registry } from '../../registry/index.js';
import { isoNow, type Clock } from '../../shared/clock.js';
import { BerthError } from '../../shared/errors.js';
import {
  manifestMediaTypes,
  sbomReportType,
  vulnerabilityReportType,
  vulnerabilityReportTypes,
} from '../scanners/adapter.js';
import { builtinScanner, type ScannerService } from '../scanners/service.js';
import type { RegistrationRow } from '../scanners/repo.js';
import { mergeSummaries, type HarborScanner, type ReportSummary, type VulnerabilityReport } from './reports.js';
import { isFinal, type ReportRepo, type ReportRow } from './repo.js';
import { scanJobType } from './job.js';
import { startAdapterScans } from '../adapter-scan/start.js';

// Scanning artifacts as Harbor's scan controller does (controller/scan/base_controller.go): an
// image is scanned itself; an index through its images (each its own report, its own job),
// and its overview and report merge theirs. Reports belong to a digest and a scanner, so every
// artifact of that digest shares them; a scan still pending or running refuses another (409).

export type ScanType = 'vulnerability' | 'sbom';

/** The report types a vulnerability overview or report is shown under: the two Harbor reads by default. */
export const vulnerabilityMimeTypes = vulnerabilityReportTypes;

/** The report row each scan type writes (an adapter's vulnerability report may be either of vulnerabilityMimeTypes). */
const reportTypeOf = (scanType: ScanType) => (scanType === 'sbom' ? sbomReportType : vulnerabilityReportType);
/** The report rows a scan type may have written. */
const reportTypesOf = (scanType: ScanType) => (scanType === 'sbom' ? [sbomReportType] : vulnerabilityMimeTypes);

/** Harbor's SBOMOverview. */
export interface SbomOverview {
  report_id: string;
  scan_status: string;
  sbom_digest?: string;
  start_time?: string;
  end_time?: string;
  duration?: number;
  scanner?: HarborScanner;
}

/** What with_scan_overview and with_sbom_overview add to an artifact. */
export interface ArtifactOverviews {
  scan_overview?: Record<string, NativeReportSummary>;
  sbom_overview?: SbomOverview;
}

export interface ScanServiceDeps {
  reports: ReportRepo;
  scanners: ScannerService;
  artifacts: Pick<ArtifactService, 'getArtifact'>;
  registry: Pick<Registry, 'manifests'>;
  jobs: () => JobService;
  clock: Clock;
}

/** Harbor's NativeReportSummary. */
export interface NativeReportSummary {
  report_id: string;
  scan_status: string;
  severity?: string;
  duration?: number;
  summary?: { total: number; fixable: number; summary: Record<string, number> };
  start_time?: string;
  end_time?: string;
  complete_percent?: number;
  scanner?: HarborScanner;
}

/** A scan `scan` queued: its report and the job that makes it. */
export interface StartedScan {
  reportUuid: string;
  jobId: string;
}

export function parseScanType(body: unknown, required: boolean): ScanType {
  const value = typeof body === 'object' && body !== null ? (body as { scan_type?: unknown }).scan_type : undefined;
  if (value === undefined || value === null || value === '') {
    if (required) throw new BerthError('BAD_REQUEST', 'scan_type is required: vulnerability or sbom');
    return 'vulnerability';
  }
  if (value !== 'vulnerability' && value !== 'sbom')
    throw new BerthError('BAD_REQUEST', `scan_type must be vulnerability or sbom, not ${String(value).slice(0, 40)}`);
  return value;
}

/** Harbor's merged report id: the ids joined by '|', base64-encoded (vuln.mergeReportID). */
export function mergedReportId(ids: string[]): string {
  return ids.length === 1 ? ids[0]! : Buffer.from(ids.join('|')).toString('base64');
}

export function parseReportIds(id: string): string[] {
  if (/^[0-9a-f-]{36}$/.test(id)) return [id];
  const decoded = Buffer.from(id, 'base64').toString('utf8');
  return (decoded.includes('|') ? decoded : id).split('|');
}

/** Harbor's mergeScanStatus: Running wins, then Success, then the later of the rest. */
function mergeStatus(statuses: string[]): string {
  if (statuses.includes('Running')) return 'Running';
  if (statuses.includes('Success')) return 'Success';
  const order = ['Pending', 'Stopped', 'Error'];
  return statuses.reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a));
}

export function createScanService(deps: ScanServiceDeps) {
  const { reports, scanners, registry, clock } = deps;

  async function registrationOf(projectId: number): Promise<RegistrationRow> {
    const registration = await scanners.ofProject(projectId);
    if (!registration) throw new BerthError('PRECONDITION', `no available scanner for project: ${String(projectId)}`);
    return registration;
  }

  /** The image manifests a scan of `artifact` covers: itself, or an index's images. */
  async function scannedDigests(repository: string, artifact: HarborArtifact): Promise<string[]> {
    if (manifestMediaTypes.includes(artifact.manifest_media_type)) return [artifact.digest];
    const children = await Promise.all(
      artifact.references.map(async (ref) => {
        const child = await registry.manifests.resolve(repository, ref.child_digest).catch(() => undefined);
        return child && manifestMediaTypes.includes(child.mediaType) ? child.digest : undefined;
      }),
    );
    return [...new Set(children.filter((d): d is string => d !== undefined))];
  }

  async function target(project: { id: number; name: string }, repositoryName: string, reference: string) {
    const artifact = await deps.artifacts.getArtifact(project.name, repositoryName, reference, {
      withTag: false,
      withLabel: false,
      withAccessory: false,
    });
    const repository = `${project.name}/${repositoryName}`;
    return { artifact, repository, digests: await scannedDigests(repository, artifact) };
  }

  async function progressOf(row: Pick<ReportRow, 'status' | 'job_id'>): Promise<number> {
    if (isFinal(row.status)) return 100;
    if (row.status !== 'Running' || !row.job_id) return 0;
    const execution = await deps.jobs().queue.get(row.job_id);
    const { done, total } = execution?.progress ?? { done: 0, total: 0 };
    return total > 0 ? Math.min(99, Math.floor((done / total) * 100)) : 0;
  }

  /** One overview of the reports of an artifact's images (all of them must have one, as Harbor requires). */
  async function overviewOf(
    rows: Omit<ReportRow, 'report' | 'log'>[],
    scanner: HarborScanner,
  ): Promise<NativeReportSummary> {
    const starts = rows.map((r) => r.start_time).sort();
    const ends = rows
      .map((r) => r.end_time)
      .filter((t): t is string => t !== null)
      .sort();
    const status = mergeStatus(rows.map((r) => r.status));
    const summaries = rows.map((r) => r.summary && (JSON.parse(r.summary) as ReportSummary)).filter((s) => !!s);
    const merged = summaries.length > 0 ? mergeSummaries(summaries) : undefined;
    const percents = await Promise.all(rows.map(progressOf));
    const start = starts[0]!;
    const end = ends.length === rows.length ? ends.at(-1) : undefined;
    return {
      report_id: mergedReportId(rows.map((r) => r.uuid)),
      scan_status: status,
      ...(merged
        ? {
            severity: merged.severity,
            summary: {
              total: merged.total,
              fixable: merged.fixable,
              summary: merged.summary as Record<string, number>,
            },
          }
        : {}),
      start_time: start,
      ...(end
        ? { end_time: end, duration: Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 1000)) }
        : {}),
      complete_percent: Math.floor(percents.reduce((a, b) => a + b, 0) / percents.length),
      scanner,
    };
  }

  function sbomOverviewOf(row: Omit<ReportRow, 'report' | 'log'>, scanner: HarborScanner): SbomOverview {
    const summary = row.summary ? (JSON.parse(row.summary) as { sbom_digest?: string }) : {};
    return {
      report_id: row.uuid,
      scan_status: row.status,
      ...(summary.sbom_digest ? { sbom_digest: summary.sbom_digest } : {}),
      start_time: row.start_time,
      ...(row.end_time
        ? {
            end_time: row.end_time,
            duration: Math.max(0, Math.round((Date.parse(row.end_time) - Date.parse(row.start_time)) / 1000)),
          }
        : {}),
      scanner,
    };
  }

  async function scannerOf(registration: RegistrationRow): Promise<HarborScanner> {
    try {
      return (await scanners.metadataOf(registration)).scanner;
    } catch {
      return { name: registration.name, vendor: '', version: '' };
    }
  }

  return {
    /** POST …/scan: claims the reports and queues a job per image; returns them (scan all records them). */
    async scan(
      project: { id: number; name: string },
      repositoryName: string,
      reference: string,
      body: unknown,
    ): Promise<StartedScan[]> {
      const scanType = parseScanType(body, false);
      const registration = await registrationOf(project.id);
      if (registration.disabled === 1) throw new BerthError('PRECONDITION', `scanner ${registration.name} is disabled`);
      const { artifact, repository, digests } = await target(project, repositoryName, reference);
      if (digests.length === 0)
        throw new BerthError(
          'UNPROCESSABLE_ENTITY',
          `the configured scanner ${registration.name} does not support scanning artifact with mime type ${artifact.manifest_media_type}`,
        );
      if (registration.url !== builtinScanner.url)
        return startAdapterScans(
          { reports, scanners, registry, jobs: deps.jobs, clock },
          { registration, artifact, repository, digests, scanType },
        );
      const mimeType = reportTypeOf(scanType);
      // A new SBOM replaces the previous one: its accessory goes once the new one is stored.
      const previous = new Map(
        scanType === 'sbom'
          ? (await reports.summaries(digests, registration.uuid, [mimeType])).flatMap((row) => {
              const digest = row.summary && (JSON.parse(row.summary) as { sbom_digest?: string }).sbom_digest;
              return digest ? [[row.digest, digest] as const] : [];
            })
          : [],
      );
      const claim = await reports.claim(
        digests.map((digest) => ({ digest, registrationUuid: registration.uuid, mimeType })),
        isoNow(clock),
      );
      if ('busy' in claim) throw new BerthError('CONFLICT', `a previous scan process is ${claim.busy}`);
      const started: StartedScan[] = [];
      for (const row of claim.claimed) {
        const replaces = previous.get(row.digest);
        const execution = await deps.jobs().queue.enqueue(scanJobType, {
          reportUuid: row.uuid,
          repository,
          digest: row.digest,
          kind: scanType,
          ...(replaces ? { replaces } : {}),
        });
        await reports.setJob([row.uuid], execution.id);
        started.push({ reportUuid: row.uuid, jobId: execution.id });
      }
      return started;
    },

    /** POST …/scan/stop: stops the artifact's pending and running scans. */
    async stop(
      project: { id: number; name: string },
      repositoryName: string,
      reference: string,
      body: unknown,
    ): Promise<void> {
      const scanType = parseScanType(body, true);
      const registration = await registrationOf(project.id);
      const { artifact, digests } = await target(project, repositoryName, reference);
      const running = await reports.unfinished(digests, registration.uuid, reportTypesOf(scanType));
      if (running.length === 0)
        throw new BerthError('BAD_REQUEST', `no scan job for artifact digest=${artifact.digest}`);
      for (const row of running) {
        if (row.job_id) await deps.jobs().queue.stop(row.job_id);
        await reports.update(row.uuid, { status: 'Stopped', end_time: isoNow(clock) });
      }
    },

    /** GET …/scan/{report_id}/log: the log of the report (or, for an index, of each of its images' reports). */
    async log(
      project: { id: number; name: string },
      repositoryName: string,
      reference: string,
      reportId: string,
    ): Promise<string> {
      const { digests } = await target(project, repositoryName, reference);
      const ids = parseReportIds(reportId);
      const rows = (await Promise.all(ids.map((id) => reports.byUuid(id)))).filter(
        (row): row is ReportRow => row !== undefined && digests.includes(row.digest),
      );
      if (rows.length === 0) throw new BerthError('NOT_FOUND', `scan report ${reportId.slice(0, 100)} not found`);
      const logOf = async (row: ReportRow) =>
        row.log ?? (row.job_id ? ((await deps.jobs().queue.log(row.job_id)) ?? '') : '');
      if (rows.length === 1) return logOf(rows[0]!);
      const parts = await Promise.all(
        rows.map(async (row) => `---------- Logs of report ${row.uuid} ----------\n${await logOf(row)}`),
      );
      return parts.join('\n\n\n\n');
    },

    /** The vulnerability report of an artifact ({} when it is not scanned, as Harbor answers), keyed by report type. */
    async vulnerabilities(
      project: { id: number; name: string },
      repositoryName: string,
      reference: string,
    ): Promise<Record<string, VulnerabilityReport>> {
      const registration = await scanners.ofProject(project.id);
      if (!registration) return {};
      const { digests } = await target(project, repositoryName, reference);
      const rows = await reports.reports(digests, registration.uuid, vulnerabilityMimeTypes);
      const done = rows.filter((row) => row.report !== null);
      if (digests.length === 0 || done.length < digests.length) return {};
      const parts = done.map((row) => JSON.parse(row.report!) as VulnerabilityReport);
      const merged = parts.reduce((a, b) => ({
        ...a,
        generated_at: a.generated_at > b.generated_at ? a.generated_at : b.generated_at,
        severity: mergeSummaries([
          { severity: a.severity, total: 0, fixable: 0, summary: {} },
          { severity: b.severity, total: 0, fixable: 0, summary: {} },
        ]).severity,
        vulnerabilities: [...a.vulnerabilities, ...b.vulnerabilities],
        notes: [...new Set([...a.notes, ...b.notes])],
      }));
      return Object.fromEntries(vulnerabilityMimeTypes.map((type) => [type, merged]));
    },

    /** `scan_overview` and `sbom_overview` for artifacts of one repository, by artifact id: only those with a report of every image. */
    async overviews(
      projectId: number,
      repository: string,
      artifacts: HarborArtifact[],
      wanted: { scan: boolean; sbom: boolean },
    ): Promise<Map<number, ArtifactOverviews>> {
      const result = new Map<number, ArtifactOverviews>();
      const registration = await scanners.ofProject(projectId);
      if (!registration || artifacts.length === 0 || (!wanted.scan && !wanted.sbom)) return result;
      const digestsOf = new Map(
        await Promise.all(artifacts.map(async (a) => [a.id, await scannedDigests(repository, a)] as const)),
      );
      const types = [...(wanted.scan ? vulnerabilityMimeTypes : []), ...(wanted.sbom ? [sbomReportType] : [])];
      const rows = await reports.summaries([...new Set([...digestsOf.values()].flat())], registration.uuid, types);
      const scanner = await scannerOf(registration);
      for (const artifact of artifacts) {
        const digests = digestsOf.get(artifact.id) ?? [];
        const shown: ArtifactOverviews = {};
        const scanRows = rows.filter((r) => vulnerabilityMimeTypes.includes(r.mime_type) && digests.includes(r.digest));
        if (wanted.scan && digests.length > 0 && scanRows.length === digests.length) {
          const overview = await overviewOf(scanRows, scanner);
          shown.scan_overview = Object.fromEntries(vulnerabilityMimeTypes.map((type) => [type, overview]));
        }
        // An SBOM describes one image: an index has none of its own (Harbor generates them per image too).
        const sbomRow = rows.find((r) => r.mime_type === sbomReportType && r.digest === artifact.digest);
        if (wanted.sbom && sbomRow) shown.sbom_overview = sbomOverviewOf(sbomRow, scanner);
        if (shown.scan_overview || shown.sbom_overview) result.set(artifact.id, shown);
      }
      return result;
    },
  };
}

export type ScanService = ReturnType<typeof createScanService>;
