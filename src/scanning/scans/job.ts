import { blobStream } from '../../artifacts/index.js';
import { requiredParam, type Job, type JobContext, type JobParams } from '../../jobs/index.js';
import { parseManifest, type Registry } from '../../registry/index.js';
import { isoNow, type Clock } from '../../shared/clock.js';
import { BerthError } from '../../shared/errors.js';
import { analyzeImage } from '../analyze.js';
import { languageAnalyzers } from '../analyzers/lang/index.js';
import { osAnalyzers } from '../analyzers/os/index.js';
import type { Analysis, ImageSource, VulnDb } from '../model.js';
import { writeSbom } from '../sbom/index.js';
import { buildReport, summarize, type HarborScanner } from './reports.js';
import type { ReportRepo } from './repo.js';
import { runForReport } from './report-run.js';
import { pushSbomAccessory } from './sbom-accessory.js';

// IMAGE_SCAN on the job service (Harbor's job type): the built-in scanner's scan of one image
// manifest. Its layers are read from the blob store and analysed in one pass; then either the
// packages are matched against the vulnerability database and the report and its summary
// written to the report row the API claimed, or (kind 'sbom') the analysis is written as SPDX
// and CycloneDX documents, pushed as the image's SBOM accessory (replacing the previous one).
// A stop aborts the analysis between layers and entries.

export const scanJobType = 'IMAGE_SCAN';

export interface ScanJobParams extends JobParams {
  reportUuid: string;
  repository: string;
  digest: string;
  kind: 'vulnerability' | 'sbom';
  /** The SBOM accessory this one replaces (deleted once the new one is stored). */
  replaces?: string;
}

export interface ScanJobDeps {
  reports: ReportRepo;
  registry: Pick<Registry, 'manifests' | 'blobs'>;
  vulnDb: VulnDb;
  clock: Clock;
  scanner: () => HarborScanner;
  /** Berth's external URL: the registry SBOMs name, and the base of SPDX namespaces. */
  externalUrl: () => string;
  registryWrites: Pick<Registry, 'uploads' | 'manifests'>;
}

const maxFails = 3;
const isTransient = (err: unknown) => !(err instanceof BerthError) || err.status >= 500;

export function scanJob(deps: ScanJobDeps): Job<ScanJobParams> {
  return {
    name: scanJobType,
    maxFails,
    shouldRetry: isTransient,
    // Scans read whole images: two at a time per worker pool keep pushes and pulls responsive.
    concurrency: 2,
    validate: (params) => ({
      reportUuid: requiredParam(params, 'reportUuid'),
      repository: requiredParam(params, 'repository'),
      digest: requiredParam(params, 'digest'),
      kind: params.kind === 'sbom' ? 'sbom' : 'vulnerability',
      ...(typeof params.replaces === 'string' && params.replaces ? { replaces: params.replaces } : {}),
    }),
    run: (ctx) => runScan(deps, ctx),
  };
}

/** The image's layers, read from the store as the scan walks them. */
export async function imageSource(
  registry: ScanJobDeps['registry'],
  repository: string,
  digest: string,
): Promise<ImageSource> {
  const stored = await registry.manifests.resolve(repository, digest);
  const manifest = parseManifest(stored.bytes, stored.mediaType);
  if (manifest.layers.length === 0 && manifest.manifests.length > 0)
    throw new BerthError('BAD_REQUEST', `${repository}@${digest} is an index: its images are scanned one by one`);
  return {
    layers: manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })),
    open: async (layer) => (await blobStream(registry, repository, layer)).stream,
  };
}

async function runScan(deps: ScanJobDeps, ctx: JobContext<ScanJobParams>): Promise<void> {
  const { reports, clock } = deps;
  const { reportUuid, repository, digest } = ctx.params;
  await runForReport(ctx, { reports, clock, maxFails, isTransient }, async (log) => {
    log(`scanning ${repository}@${digest} (attempt ${String(ctx.attempt)})`);
    const source = await imageSource(deps.registry, repository, digest);
    log(`${String(source.layers.length)} layers, ${String(source.layers.reduce((n, l) => n + l.size, 0))} bytes`);
    const started = Date.now();
    let reported = 0;
    const analysis: Analysis = await analyzeImage(source, [...osAnalyzers(), ...languageAnalyzers()], {
      signal: ctx.signal,
      // Progress is a write on the job's row: four a second at most.
      onProgress: (done, total) => {
        if (done < total && Date.now() - reported < 250) return;
        reported = Date.now();
        ctx.progress(done, total);
      },
    });
    log(
      `analysed in ${String(Date.now() - started)} ms: ${analysis.os ? `${analysis.os.prettyName}, ` : 'no OS found, '}` +
        `${String(analysis.packages.length)} packages`,
    );
    for (const note of analysis.notes) log(`note: ${note}`);
    if (ctx.params.kind === 'sbom') {
      await writeSbomAccessory(deps, ctx, analysis, log);
      await reports.update(reportUuid, { log: log.text() });
      return;
    }
    const [findings, db] = await Promise.all([deps.vulnDb.match(analysis), deps.vulnDb.status()]);
    const report = buildReport({
      findings,
      analysis,
      db,
      scanner: deps.scanner(),
      artifactDigest: digest,
      now: clock.now(),
    });
    const summary = summarize(report);
    log(`${String(summary.total)} vulnerabilities (${String(summary.fixable)} fixable), severity ${summary.severity}`);
    await reports.complete(
      reportUuid,
      {
        status: 'Success',
        end_time: isoNow(clock),
        report: JSON.stringify({ ...report, packages: analysis.packages.length }),
        summary: JSON.stringify(summary),
        log: log.text(),
      },
      report.vulnerabilities,
    );
  });
}

/** The SBOM of the analysed image, stored as its accessory; the report row records its digest. */
async function writeSbomAccessory(
  deps: ScanJobDeps,
  ctx: JobContext<ScanJobParams>,
  analysis: Analysis,
  log: (line: string) => void,
): Promise<void> {
  const { repository, digest, reportUuid, replaces } = ctx.params;
  const created = deps.clock.now();
  const externalUrl = deps.externalUrl();
  const options = {
    subject: { repository, digest, registry: new URL(externalUrl).host },
    created,
    toolVersion: deps.scanner().version,
    externalUrl,
  };
  const documents = [
    { ...writeSbom(analysis, { ...options, format: 'spdx' }), fileName: 'sbom.spdx.json' },
    { ...writeSbom(analysis, { ...options, format: 'cyclonedx' }), fileName: 'sbom.cdx.json' },
  ];
  const subject = await deps.registry.manifests.resolve(repository, digest);
  const sbomDigest = await pushSbomAccessory(deps.registryWrites, repository, subject, documents, created);
  log(`SBOM of ${String(analysis.packages.length)} packages stored as ${sbomDigest} (SPDX 2.3 and CycloneDX 1.5)`);
  if (replaces && replaces !== sbomDigest) {
    await deps.registryWrites.manifests.delete(repository, replaces).then(
      () => log(`previous SBOM ${replaces} deleted`),
      () => undefined, // already gone
    );
  }
  const report = {
    generated_at: created.toISOString(),
    scanner: deps.scanner(),
    sbom_digest: sbomDigest,
    media_types: documents.map((d) => d.mediaType),
    packages: analysis.packages.length,
    notes: analysis.notes,
  };
  await deps.reports.update(reportUuid, {
    status: 'Success',
    end_time: isoNow(deps.clock),
    report: JSON.stringify(report),
    summary: JSON.stringify({ sbom_digest: sbomDigest }),
  });
}
