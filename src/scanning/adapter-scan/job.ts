import { requiredParam, type Job, type JobContext, type JobParams } from '../../jobs/index.js';
import { isoNow, type Clock } from '../../shared/clock.js';
import { BerthError } from '../../shared/errors.js';
import type { AdapterEndpoint } from '../scanners/adapter.js';
import type { RegistrationRepo } from '../scanners/repo.js';
import { runForReport } from '../scans/report-run.js';
import { summarize } from '../scans/reports.js';
import type { ReportRepo } from '../scans/repo.js';
import { AdapterScanError, pollReport, requestScan, type ScanRequest } from './client.js';
import { checkAdapterReport } from './report.js';

// ADAPTER_SCAN on the job service: a scan of one image manifest by an external scanner adapter
// (Harbor's scan job, pkg/scan/job.go). Berth sends the adapter a ScanRequest naming its own
// /v2 and a short-lived pull token for the repository, polls for the report as the adapter's
// Refresh-After says, checks it and writes it with its summary to the report row the API
// claimed. The row goes Running → Success, Error or Stopped, with a log; a retried attempt
// leaves it Pending.

export const adapterScanJobType = 'ADAPTER_SCAN';

/** How long an adapter may take over one image before the scan fails. */
export const adapterScanTimeoutMs = 30 * 60_000;

export interface AdapterScanJobParams extends JobParams {
  reportUuid: string;
  repository: string;
  digest: string;
  /** The image manifest's media type (the ScanRequest's artifact.mime_type). */
  mediaType: string;
  registrationUuid: string;
}

export interface AdapterScanJobDeps {
  reports: ReportRepo;
  registrations: Pick<RegistrationRepo, 'byUuid'>;
  clock: Clock;
  /** Berth's external URL, where adapters reach its /v2. */
  registryURL: () => string;
  /** The URL Berth listens on, for registrations with use_internal_addr. */
  internalRegistryURL: () => string;
  /** A short-lived bearer token that may pull `repository` (and nothing else). */
  pullToken: (repository: string) => Promise<string>;
  /** Overrides adapterScanTimeoutMs (tests). */
  timeoutMs?: number;
}

const maxFails = 3;
/** A refusal by the adapter or a bad report is final; the network and Berth's own 5xx are worth another try. */
const isTransient = (err: unknown) =>
  !(err instanceof AdapterScanError) && (!(err instanceof BerthError) || err.status >= 500);

export function adapterScanJob(deps: AdapterScanJobDeps): Job<AdapterScanJobParams> {
  return {
    name: adapterScanJobType,
    maxFails,
    shouldRetry: isTransient,
    // The adapter does the work; a worker mostly waits for its report.
    concurrency: 10,
    validate: (params) => ({
      reportUuid: requiredParam(params, 'reportUuid'),
      repository: requiredParam(params, 'repository'),
      digest: requiredParam(params, 'digest'),
      mediaType: requiredParam(params, 'mediaType'),
      registrationUuid: requiredParam(params, 'registrationUuid'),
    }),
    run: (ctx) => runAdapterScan(deps, ctx),
  };
}

async function scanRequest(
  deps: AdapterScanJobDeps,
  params: AdapterScanJobParams,
  reportType: string,
  internal: boolean,
): Promise<ScanRequest> {
  return {
    registry: {
      url: (internal ? deps.internalRegistryURL() : deps.registryURL()).replace(/\/+$/, ''),
      authorization: `Bearer ${await deps.pullToken(params.repository)}`,
    },
    artifact: { repository: params.repository, digest: params.digest, mime_type: params.mediaType },
    enabled_capabilities: [{ type: 'vulnerability', produces_mime_types: [reportType] }],
  };
}

async function runAdapterScan(deps: AdapterScanJobDeps, ctx: JobContext<AdapterScanJobParams>): Promise<void> {
  const { reports, clock } = deps;
  const { reportUuid, repository, digest, registrationUuid } = ctx.params;
  await runForReport(ctx, { reports, clock, maxFails, isTransient }, async (log, row) => {
    const registration = await deps.registrations.byUuid(registrationUuid);
    if (!registration) throw new AdapterScanError(`scanner registration ${registrationUuid} no longer exists`);
    const endpoint: AdapterEndpoint = {
      url: registration.url,
      auth: registration.auth,
      accessCredential: registration.access_credential,
      skipCertVerify: registration.skip_cert_verify === 1,
    };
    log(
      `scanning ${repository}@${digest} with scanner ${registration.name} at ${registration.url} (attempt ${String(ctx.attempt)})`,
    );
    const request = await scanRequest(deps, ctx.params, row.mime_type, registration.use_internal_addr === 1);
    const id = await requestScan(endpoint, request, ctx.signal);
    log(`the adapter accepted scan request ${id}; Berth's registry for it: ${request.registry.url}`);
    const body = await pollReport(endpoint, id, {
      reportType: row.mime_type,
      signal: ctx.signal,
      timeoutMs: deps.timeoutMs ?? adapterScanTimeoutMs,
      onWait: (polls, seconds) => {
        if (polls === 1 || polls % 10 === 0)
          log(`report not ready after ${String(polls)} polls: next in ${String(seconds)} s`);
      },
    });
    const report = checkAdapterReport(body, { name: registration.name, vendor: '', version: '' }, digest);
    const summary = summarize(report);
    log(`${String(summary.total)} vulnerabilities (${String(summary.fixable)} fixable), severity ${summary.severity}`);
    await reports.complete(
      reportUuid,
      {
        status: 'Success',
        end_time: isoNow(clock),
        report: JSON.stringify(report),
        summary: JSON.stringify(summary),
        log: log.text(),
      },
      report.vulnerabilities,
    );
  });
}
