import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { apiBase, artifactPath, errorOf, repositoryPath, type Query } from './client';
import { useApi } from './context';
import type * as harbor from './harbor.gen';

// Vulnerability scanning: scanner registrations (Harbor's Interrogation Services), the built-in
// scanner's vulnerability database and its imports, a project's scanner, and an artifact's scans
// and reports.

/** The report type Harbor's portal reads from scan_overview and additions/vulnerabilities. */
export const vulnerabilityMime = 'application/vnd.security.vulnerability.report; version=1.1';

/** Harbor's ScannerRegistration; Berth always sends the uuid, name and url. */
export type Scanner = harbor.ScannerRegistration & { uuid: string; name: string; url: string };

/** Harbor's ScannerRegistrationReq: what the New/Edit dialog sends and Test connection pings. */
export type ScannerRequest = harbor.ScannerRegistrationReq;

/** The authorization schemes a registration may use ('' for none). */
export const scannerAuths = ['', 'Basic', 'Bearer', 'X-ScannerAdapter-API-Key'] as const;

/** The built-in scanner: always registered (its URL names no address), and the API refuses to edit or delete it. */
export function isBuiltInScanner(scanner: Scanner): boolean {
  return scanner.url.startsWith('builtin://');
}

/** Berth's (not Harbor's): GET /vulnerability-database. */
export interface VulnDbStatus {
  advisories: number;
  ecosystems: string[];
  imported_at?: string;
  updated_at?: string;
  last_import?: {
    source: string;
    imported: number;
    updated: number;
    unchanged: number;
    skipped: number;
    withdrawn: number;
  };
}

/** Berth's (not Harbor's): one import job of an OSV archive. */
export interface VulnDbImport {
  id: string;
  status: 'pending' | 'running' | 'success' | 'error' | 'stopped';
  progress: { done: number; total: number };
  source: string;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  error?: string;
}

/** Harbor's NativeReportSummary as Berth sends it in scan_overview. */
export type ScanOverview = harbor.NativeReportSummary;

/** One finding of Harbor's vulnerability report (its VulnerabilityItem in the report, not the security hub's). */
export interface Vulnerability {
  id: string;
  package: string;
  version: string;
  fix_version?: string;
  severity: string;
  description?: string;
  links?: string[];
  preferred_cvss?: { score_v3?: number; vector_v3?: string };
  cwe_ids?: string[];
}

/** Harbor's vulnerability report (additions/vulnerabilities, under its mime type). */
export interface VulnerabilityReport {
  severity?: string;
  scanner?: harbor.Scanner;
  generated_at?: string;
  vulnerabilities?: Vulnerability[];
  notes?: string[];
}

const pollMs = 2000;
const finishedImports = new Set(['success', 'error', 'stopped']);
const finishedScans = new Set(['success', 'error', 'stopped']);

export function isImportFinished(job: VulnDbImport | undefined): boolean {
  return job !== undefined && finishedImports.has(job.status);
}

/** A scan is running while its overview says Pending or Running (any case, as Harbor's statuses vary). */
export function isScanRunning(overview: ScanOverview | undefined): boolean {
  return overview !== undefined && !finishedScans.has((overview.scan_status ?? '').toLowerCase());
}

/** The vulnerability overview of an artifact: Harbor's mime type first, any other report type else. */
export function overviewOf(artifact: { scan_overview?: harbor.ScanOverview } | undefined): ScanOverview | undefined {
  const overviews = artifact?.scan_overview;
  if (!overviews) return undefined;
  return overviews[vulnerabilityMime] ?? Object.values(overviews)[0];
}

export function importLogUrl(id: string): string {
  return `${apiBase}/vulnerability-database/imports/${encodeURIComponent(id)}/log`;
}

export function scanLogUrl(projectName: string, repository: string, digest: string, reportId: string): string {
  return `${apiBase}${repositoryPath(projectName, repository)}/artifacts/${encodeURIComponent(digest)}/scan/${encodeURIComponent(reportId)}/log`;
}

// Scanner registrations.

export function useScanners(query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['scanners', query],
    queryFn: () => api.list<Scanner>('/scanners', query),
    placeholderData: (previous) => previous,
  });
}

export function useScannerWrites() {
  const api = useApi();
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['scanners'] }),
      queryClient.invalidateQueries({ queryKey: ['project-scanner'] }),
    ]);
  return {
    create: useMutation({
      mutationFn: (request: ScannerRequest) => api.write('POST', '/scanners', request),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ uuid, request }: { uuid: string; request: ScannerRequest }) =>
        api.write('PUT', `/scanners/${encodeURIComponent(uuid)}`, request),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (scanner: Scanner) => api.write('DELETE', `/scanners/${encodeURIComponent(scanner.uuid)}`),
      onSuccess: refresh,
    }),
    setDefault: useMutation({
      mutationFn: (scanner: Scanner) =>
        api.write('PATCH', `/scanners/${encodeURIComponent(scanner.uuid)}`, { is_default: true }),
      onSuccess: refresh,
    }),
    /** Harbor's portal enables and disables a registration by PUTting it whole with the flag changed. */
    setDisabled: useMutation({
      mutationFn: ({ scanner, disabled }: { scanner: Scanner; disabled: boolean }) =>
        api.write('PUT', `/scanners/${encodeURIComponent(scanner.uuid)}`, {
          name: scanner.name,
          description: scanner.description,
          url: scanner.url,
          auth: scanner.auth ?? '',
          skip_certVerify: scanner.skip_certVerify ?? false,
          use_internal_addr: scanner.use_internal_addr ?? false,
          disabled,
        } satisfies ScannerRequest),
      onSuccess: refresh,
    }),
    /** Test connection: the adapter's metadata fetched with the dialog's settings, nothing saved. */
    ping: useMutation({
      mutationFn: (request: ScannerRequest) => api.write('POST', '/scanners/ping', request),
    }),
  };
}

// The built-in scanner's vulnerability database.

export function useVulnDb() {
  const api = useApi();
  return useQuery({ queryKey: ['vulndb'], queryFn: () => api.get<VulnDbStatus>('/vulnerability-database') });
}

/** One import, polled every 2 s until it finishes; the database's status is refreshed then. */
export function useVulnDbImport(id: string | undefined) {
  const api = useApi();
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ['vulndb', 'import', id],
    queryFn: () => api.get<VulnDbImport>(`/vulnerability-database/imports/${encodeURIComponent(id ?? '')}`),
    enabled: id !== undefined,
    refetchInterval: (current) => (isImportFinished(current.state.data) ? false : pollMs),
  });
  const finished = isImportFinished(job.data);
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: ['vulndb'], exact: true });
  }, [finished, queryClient]);
  return job;
}

/**
 * Uploads an OSV archive as the raw request body (the API client only sends JSON). A session's
 * writes need its CSRF token, which every /api/v2.0 answer carries: a GET fetches it first.
 */
export async function uploadVulnDb(file: File, transport: typeof fetch = fetch): Promise<string> {
  const statusUrl = `${apiBase}/vulnerability-database`;
  const probe = await transport(statusUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!probe.ok) throw await errorOf(probe);
  const headers: Record<string, string> = { 'content-type': 'application/zip', accept: 'application/json' };
  const token = probe.headers.get('X-Harbor-CSRF-Token');
  if (token) headers['X-Harbor-CSRF-Token'] = token;
  const res = await transport(`${statusUrl}/imports?source=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers,
    body: file,
  });
  if (!res.ok) throw await errorOf(res);
  const body = (await res.json().catch(() => ({}))) as { id?: string };
  const id = body.id ?? res.headers.get('location')?.split('/').pop();
  if (!id) throw new Error('the server did not say which import it started');
  return id;
}

export function useUploadVulnDb() {
  return useMutation({ mutationFn: (file: File) => uploadVulnDb(file) });
}

// A project's scanner.

export function useProjectScanner(projectId: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['project-scanner', projectId],
    queryFn: () => api.get<Scanner>(`/projects/${projectId}/scanner`),
    retry: false,
  });
}

export function useScannerCandidates(projectId: number, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['project-scanner', projectId, 'candidates'],
    queryFn: () => api.list<Scanner>(`/projects/${projectId}/scanner/candidates`, { page_size: 100 }),
    enabled,
  });
}

export function useSetProjectScanner(projectId: number) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (uuid: string) => api.write('PUT', `/projects/${projectId}/scanner`, { uuid }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['project-scanner', projectId] }),
  });
}

// An artifact's scans and report.

/** The artifact's overview alone, polled while a scan runs (the artifact page's own query does not ask for it). */
export function useScanOverview(projectName: string, repository: string, digest: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['scan-overview', projectName, repository, digest],
    queryFn: async () =>
      overviewOf(
        await api.get<{ scan_overview?: harbor.ScanOverview }>(artifactPath(projectName, repository, digest), {
          with_scan_overview: true,
        }),
      ) ?? null,
    refetchInterval: (current) => (isScanRunning(current.state.data ?? undefined) ? pollMs : false),
  });
}

export function useVulnerabilities(projectName: string, repository: string, digest: string, reportId?: string) {
  const api = useApi();
  return useQuery({
    // The report id is in the key so that a finished scan's report is fetched anew.
    queryKey: ['vulnerabilities', projectName, repository, digest, reportId],
    queryFn: async () => {
      const reports = await api.get<Record<string, VulnerabilityReport>>(
        `${artifactPath(projectName, repository, digest)}/additions/vulnerabilities`,
      );
      return reports[vulnerabilityMime] ?? Object.values(reports)[0] ?? null;
    },
  });
}

/** Harbor's scan and its stop for one scan type; a success refreshes the artifact lists and that type's overviews. */
export function useScanTypeWrites(projectName: string, repository: string, scanType: 'vulnerability' | 'sbom') {
  const api = useApi();
  const queryClient = useQueryClient();
  const overviews = scanType === 'sbom' ? 'sbom-overview' : 'scan-overview';
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['artifacts', projectName, repository] }),
      queryClient.invalidateQueries({ queryKey: [overviews, projectName, repository] }),
    ]);
  const body = { scan_type: scanType };
  return {
    start: useMutation({
      mutationFn: (digest: string) => api.write('POST', `${artifactPath(projectName, repository, digest)}/scan`, body),
      onSuccess: refresh,
    }),
    stop: useMutation({
      mutationFn: (digest: string) =>
        api.write('POST', `${artifactPath(projectName, repository, digest)}/scan/stop`, body),
      onSuccess: refresh,
    }),
  };
}

export function useScanWrites(projectName: string, repository: string) {
  const { start, stop } = useScanTypeWrites(projectName, repository, 'vulnerability');
  return { scan: start, stop };
}

/** Refreshes the artifact list every 2 s while one of its rows is being scanned (the list's query does not poll). */
export function useRefreshWhileScanning(projectName: string, repository: string, scanning: boolean) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!scanning) return;
    const timer = setInterval(
      () => void queryClient.invalidateQueries({ queryKey: ['artifacts', projectName, repository] }),
      pollMs,
    );
    return () => clearInterval(timer);
  }, [scanning, projectName, repository, queryClient]);
}
