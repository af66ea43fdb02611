import { BerthError } from '../../shared/errors.js';
import { adapterRequest, type AdapterAnswer } from './http.js';

// A scanner adapter spoken to over Harbor's pluggable scanner API v1.2
// (reference/pluggable-scanner-openapi-v1.2.yaml): its metadata, which says what it scans and
// what reports it writes. Authentication as Harbor's registrations configure it
// (src/pkg/scan/rest/auth): Basic (the credential "user:password", base64-encoded), Bearer,
// or the X-ScannerAdapter-API-Key header.

export const manifestMediaTypes = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
/** Harbor's native vulnerability report, and the richer one it prefers. */
export const harborReportType = 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';
export const vulnerabilityReportType = 'application/vnd.security.vulnerability.report; version=1.1';
export const sbomReportType = 'application/vnd.security.sbom.report+json; version=1.0';
/** The vulnerability report types: Harbor reads both, and shows an overview under each. */
export const vulnerabilityReportTypes = [harborReportType, vulnerabilityReportType];

const metadataTypes = [
  'application/vnd.scanner.adapter.metadata+json; version=1.1',
  'application/vnd.scanner.adapter.metadata+json; version=1.0',
];

export const authTypes = ['Basic', 'Bearer', 'X-ScannerAdapter-API-Key'] as const;

export interface ScannerCapability {
  type?: 'vulnerability' | 'sbom';
  consumes_mime_types: string[];
  produces_mime_types: string[];
  additional_attributes?: Record<string, unknown>;
}

export interface AdapterMetadata {
  scanner: { name: string; vendor: string; version: string };
  capabilities: ScannerCapability[];
  properties?: Record<string, string>;
}

/** Where an adapter is and how to reach it. */
export interface AdapterEndpoint {
  url: string;
  auth: string;
  accessCredential: string;
  skipCertVerify: boolean;
}

export function authHeaders(endpoint: Pick<AdapterEndpoint, 'auth' | 'accessCredential'>): Record<string, string> {
  switch (endpoint.auth) {
    case 'Basic':
      return { authorization: `Basic ${Buffer.from(endpoint.accessCredential).toString('base64')}` };
    case 'Bearer':
      return { authorization: `Bearer ${endpoint.accessCredential}` };
    case 'X-ScannerAdapter-API-Key':
      return { 'x-scanneradapter-api-key': endpoint.accessCredential };
    default:
      return {};
  }
}

/** The adapter's API root: its URL with `/api/v1`, as Harbor's client calls it. */
export function apiUrl(endpoint: Pick<AdapterEndpoint, 'url'>, path: string): string {
  return `${endpoint.url.replace(/\/+$/, '')}/api/v1${path}`;
}

/** The adapter's error message, when it sent the spec's error body; else its status. */
export function adapterError(answer: AdapterAnswer): string {
  try {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message.slice(0, 500);
  } catch {
    // not the spec's error body
  }
  return `HTTP ${String(answer.status)}`;
}

/** What Harbor checks of an adapter's metadata (v1.ScannerAdapterMetadata.Validate). */
export function checkMetadata(value: unknown): AdapterMetadata {
  const meta = value as Partial<AdapterMetadata> | null;
  const scanner = meta?.scanner;
  if (!scanner || typeof scanner.name !== 'string' || !scanner.name || typeof scanner.version !== 'string')
    throw new Error('its metadata has no scanner name and version');
  if (!Array.isArray(meta.capabilities) || meta.capabilities.length === 0)
    throw new Error('its metadata lists no capabilities');
  for (const capability of meta.capabilities) {
    if (!Array.isArray(capability.consumes_mime_types) || !Array.isArray(capability.produces_mime_types))
      throw new Error('a capability lacks consumes_mime_types or produces_mime_types');
  }
  const scansImages = meta.capabilities.some((c) => c.consumes_mime_types.some((t) => manifestMediaTypes.includes(t)));
  if (!scansImages) throw new Error('it scans neither OCI nor Docker image manifests');
  return {
    scanner: {
      name: scanner.name,
      vendor: typeof scanner.vendor === 'string' ? scanner.vendor : '',
      version: scanner.version,
    },
    capabilities: meta.capabilities,
    ...(meta.properties && typeof meta.properties === 'object' ? { properties: meta.properties } : {}),
  };
}

/** GET /api/v1/metadata of the adapter; a BerthError (400, the reason) when it cannot be reached or answers wrong. */
export async function fetchMetadata(endpoint: AdapterEndpoint, timeoutMs = 10_000): Promise<AdapterMetadata> {
  let answer: AdapterAnswer;
  try {
    answer = await adapterRequest(apiUrl(endpoint, '/metadata'), {
      headers: { accept: metadataTypes.join(', '), ...authHeaders(endpoint) },
      insecure: endpoint.skipCertVerify,
      timeoutMs,
      maxBytes: 1024 * 1024,
    });
  } catch (err) {
    throw new BerthError(
      'BAD_REQUEST',
      `scanner adapter ${endpoint.url} could not be reached: ${(err as Error).message}`,
    );
  }
  if (answer.status !== 200)
    throw new BerthError(
      'BAD_REQUEST',
      `scanner adapter ${endpoint.url} refused its metadata: ${adapterError(answer)}`,
    );
  try {
    return checkMetadata(JSON.parse(answer.body.toString('utf8')));
  } catch (err) {
    throw new BerthError('BAD_REQUEST', `scanner adapter ${endpoint.url} is not usable: ${(err as Error).message}`);
  }
}

/** Harbor's `capabilities` object on a registration: what the adapter's metadata says it can do. */
export function capabilityFlags(meta: AdapterMetadata): { support_vulnerability: boolean; support_sbom: boolean } {
  const kinds = new Set(
    meta.capabilities.map((c) => c.type ?? (c.produces_mime_types.includes(sbomReportType) ? 'sbom' : 'vulnerability')),
  );
  return { support_vulnerability: kinds.has('vulnerability'), support_sbom: kinds.has('sbom') };
}
