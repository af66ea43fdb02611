import { setTimeout as sleep } from 'node:timers/promises';
import { adapterError, apiUrl, authHeaders, type AdapterEndpoint } from '../scanners/adapter.js';
import { adapterRequest, type AdapterAnswer } from '../scanners/http.js';

// Berth as the client of a scanner adapter's scan API (pluggable scanner API v1.2): POST /scan
// with a ScanRequest, answered 202 {id}; then GET /scan/{id}/report until the report is ready
// (200), waiting as each 302's Refresh-After says. Refusals are AdapterScanError with the
// adapter's own message; a network failure stays an AdapterHttpError, which may be retried.

export const scanRequestType = 'application/vnd.scanner.adapter.scan.request+json; version=1.1';

/** The pluggable scanner API's ScanRequest. */
export interface ScanRequest {
  registry: { url: string; authorization: string };
  artifact: { repository: string; digest: string; mime_type: string };
  enabled_capabilities: { type: 'vulnerability' | 'sbom'; produces_mime_types: string[] }[];
}

/** The adapter refused the scan or failed it: final, its message says why. */
export class AdapterScanError extends Error {
  override name = 'AdapterScanError';
}

/** Waits between polls are the adapter's Refresh-After, kept within these bounds (seconds). */
export const refreshBounds = { min: 1, max: 60, fallback: 5 };

const maxReportBytes = 64 * 1024 * 1024;

/** POST /api/v1/scan; the adapter's scan request id. */
export async function requestScan(
  endpoint: AdapterEndpoint,
  request: ScanRequest,
  signal: AbortSignal,
): Promise<string> {
  const answer = await adapterRequest(apiUrl(endpoint, '/scan'), {
    method: 'POST',
    headers: {
      'content-type': scanRequestType,
      accept: 'application/vnd.scanner.adapter.scan.response+json; version=1.0',
      ...authHeaders(endpoint),
    },
    body: JSON.stringify(request),
    insecure: endpoint.skipCertVerify,
    timeoutMs: 30_000,
    maxBytes: 64 * 1024,
    signal,
  });
  if (answer.status !== 202 && answer.status !== 200)
    throw new AdapterScanError(`the adapter refused the scan request: ${adapterError(answer)}`);
  let id: unknown;
  try {
    id = (JSON.parse(answer.body.toString('utf8')) as { id?: unknown }).id;
  } catch {
    // handled below
  }
  if (typeof id !== 'string' || !id || id.length > 256)
    throw new AdapterScanError('the adapter accepted the scan request without a scan request id');
  return id;
}

/** The seconds to wait after a 302, from its Refresh-After header. */
export function refreshAfter(answer: Pick<AdapterAnswer, 'headers'>): number {
  const raw = answer.headers['refresh-after'];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isFinite(seconds) || (typeof raw !== 'string' && !Array.isArray(raw))) return refreshBounds.fallback;
  return Math.min(refreshBounds.max, Math.max(refreshBounds.min, seconds));
}

export interface PollOptions {
  reportType: string;
  signal: AbortSignal;
  /** Gives up after this long (ms), failing the scan. */
  timeoutMs: number;
  /** Called before each wait, with the polls so far. */
  onWait?: (polls: number, seconds: number) => void;
}

/** Polls GET /api/v1/scan/{id}/report until 200; the report, parsed (checked by the caller). */
export async function pollReport(endpoint: AdapterEndpoint, id: string, options: PollOptions): Promise<unknown> {
  const deadline = Date.now() + options.timeoutMs;
  const url = apiUrl(endpoint, `/scan/${encodeURIComponent(id)}/report`);
  for (let polls = 1; ; polls++) {
    const answer = await adapterRequest(url, {
      headers: { accept: options.reportType, ...authHeaders(endpoint) },
      insecure: endpoint.skipCertVerify,
      timeoutMs: 60_000,
      maxBytes: maxReportBytes,
      signal: options.signal,
    });
    if (answer.status === 200) {
      try {
        return JSON.parse(answer.body.toString('utf8'));
      } catch {
        throw new AdapterScanError('the adapter sent a report that is not JSON');
      }
    }
    if (answer.status !== 302)
      throw new AdapterScanError(
        answer.status === 404
          ? `the adapter does not know scan request ${id.slice(0, 100)} (HTTP 404)`
          : `the adapter failed the scan: ${adapterError(answer)}`,
      );
    const seconds = refreshAfter(answer);
    if (Date.now() + seconds * 1000 > deadline)
      throw new AdapterScanError(
        `the adapter had no report after ${String(Math.round(options.timeoutMs / 60_000))} minutes (${String(polls)} polls)`,
      );
    options.onWait?.(polls, seconds);
    await sleep(seconds * 1000, undefined, { signal: options.signal });
  }
}
