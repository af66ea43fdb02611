import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from './client';
import { useApi } from './context';
import type * as harbor from './harbor.gen';
import type { Project } from './types';
import { vulnerabilityQuery, type VulnerabilityFilter } from '../lib/vulnerability-query';

// Harbor's security hub: the system's vulnerability summary (GET /security/summary) and every
// finding of every scanned artifact, filtered and paged on the server (GET /security/vul).

export type SecuritySummary = harbor.SecuritySummary;
export type DangerousArtifact = harbor.DangerousArtifact;
export type DangerousCve = harbor.DangerousCVE;
export type VulnerabilityItem = harbor.VulnerabilityItem;

export interface VulnerabilityPage {
  items: VulnerabilityItem[];
  /** X-Total-Count; -1 when more than 1000 match (tune_count: the server stops counting there). */
  total: number;
}

export function useSecuritySummary() {
  const api = useApi();
  return useQuery({
    queryKey: ['security-summary'],
    queryFn: () =>
      api.get<SecuritySummary>('/security/summary', { with_dangerous_cve: true, with_dangerous_artifact: true }),
  });
}

/**
 * Harbor's portal filters by project name: the name is looked up first (exactly, where Harbor's
 * portal takes the first fuzzy match), and an unknown one matches nothing (project_id=0).
 */
async function projectIdOf(api: ApiClient, name: string): Promise<number> {
  const projects = await api.list<Project>('/projects', {
    q: `name=${name}`,
    page: 1,
    page_size: 1,
    with_detail: false,
  });
  return projects.items[0]?.project_id ?? 0;
}

export async function listVulnerabilities(
  api: ApiClient,
  filter: VulnerabilityFilter,
  page: number,
  pageSize: number,
): Promise<VulnerabilityPage> {
  const projectName = filter.project?.trim();
  const projectId = projectName ? await projectIdOf(api, projectName) : undefined;
  const q = vulnerabilityQuery(filter, projectId);
  const result = await api.list<VulnerabilityItem>('/security/vul', {
    q,
    page,
    page_size: pageSize,
    with_tag: true,
    tune_count: true,
  });
  return { items: result.items, total: result.total };
}

export function useSecurityVulnerabilities(filter: VulnerabilityFilter, page: number, pageSize: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['security-vul', filter, page, pageSize],
    queryFn: () => listVulnerabilities(api, filter, page, pageSize),
    placeholderData: (previous) => previous,
  });
}
