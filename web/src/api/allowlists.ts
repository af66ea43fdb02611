import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import type * as harbor from './harbor.gen';
import type { Project } from './types';

// CVE allowlists: the system's (GET/PUT /system/CVEAllowlist) and a project's, which travels in
// the Project body with the project's scanning policies (PUT /projects/{id}).

/** An allowlist as the portal edits it: CVE ids and the expiry in seconds since the epoch (null: never). */
export interface AllowlistDraft {
  items: string[];
  expiresAt: number | null;
}

export function draftOf(allowlist: harbor.CVEAllowlist | undefined): AllowlistDraft {
  return {
    items: (allowlist?.items ?? []).map((item) => item.cve_id ?? '').filter(Boolean),
    expiresAt: allowlist?.expires_at ?? null,
  };
}

/** Harbor's CVEAllowlist body of a draft. */
export function allowlistBody(draft: AllowlistDraft): Omit<harbor.CVEAllowlist, 'expires_at'> & {
  expires_at: number | null;
} {
  return { items: draft.items.map((cve_id) => ({ cve_id })), expires_at: draft.expiresAt };
}

/** CVE ids typed into the Add field: separated by commas, spaces or new lines; duplicates dropped. */
export function parseCveIds(text: string, existing: string[] = []): string[] {
  const added = text
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
  return [...new Set([...existing, ...added])];
}

/** Whether an allowlist with this expiry allows nothing any more. */
export function isExpired(expiresAt: number | null, now = Date.now()): boolean {
  return expiresAt !== null && expiresAt * 1000 <= now;
}

export function useSystemAllowlist() {
  const api = useApi();
  return useQuery({
    queryKey: ['system-cve-allowlist'],
    queryFn: () => api.get<harbor.CVEAllowlist>('/system/CVEAllowlist'),
  });
}

export function useUpdateSystemAllowlist() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (draft: AllowlistDraft) => api.write('PUT', '/system/CVEAllowlist', allowlistBody(draft)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['system-cve-allowlist'] }),
  });
}

/** Harbor's ProjectReq with the metadata and the project's CVE allowlist: the other fields keep their values. */
export function useUpdateProjectPolicy(project: Project) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ metadata, allowlist }: { metadata: Record<string, string>; allowlist: AllowlistDraft }) =>
      api.write('PUT', `/projects/${project.project_id}`, { metadata, cve_allowlist: allowlistBody(allowlist) }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['project'] }),
        queryClient.invalidateQueries({ queryKey: ['projects'] }),
      ]),
  });
}
