import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import type { Project, ProjectSummary } from './types';

// A project's summary tab (GET /projects/{id}/summary) and configuration tab (PUT /projects/{id} metadata).

export function useProjectSummary(projectId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['project', projectId, 'summary'],
    queryFn: () => api.get<ProjectSummary>(`/projects/${encodeURIComponent(projectId)}/summary`),
  });
}

/** Harbor's ProjectReq with only the metadata: the other fields keep their values. */
export function useUpdateProjectMetadata(project: Project) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (metadata: Record<string, string>) => api.write('PUT', `/projects/${project.project_id}`, { metadata }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['project'] }),
        queryClient.invalidateQueries({ queryKey: ['projects'] }),
      ]),
  });
}
