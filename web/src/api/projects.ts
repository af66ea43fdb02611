import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import type { Query } from './client';
import type { Project } from './types';

export function useProjects(query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['projects', query],
    queryFn: () => api.list<Project>('/projects', query),
    placeholderData: (previous) => previous,
  });
}

export function useProject(projectId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['project', projectId],
    queryFn: () => api.get<Project>(`/projects/${encodeURIComponent(projectId)}`),
  });
}

export function useCreateProject() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    // storage_limit in bytes (-1 unlimited); left out, the project gets storage_per_project.
    mutationFn: (draft: { name: string; public: boolean; storageLimit?: number }) =>
      api.write('POST', '/projects', {
        project_name: draft.name,
        metadata: { public: String(draft.public) },
        ...(draft.storageLimit !== undefined && { storage_limit: draft.storageLimit }),
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['projects'] }),
  });
}

export function useDeleteProject() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (project: Project) => api.write('DELETE', `/projects/${project.project_id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['projects'] }),
  });
}
