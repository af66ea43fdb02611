import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { isRunFinished, type RetentionPolicyBody } from '../lib/retention';
import { apiBase } from './client';
import { useApi } from './context';
import type { Project, RetentionExecution, RetentionMetadata, RetentionPolicy, RetentionTask } from './types';

// A project's tag retention (Harbor's /retentions): its one policy, found by the project's
// retention_id metadata, written whole (POST the first time, PUT after), its runs and their
// tasks per repository, each with a text/plain log.

const pollMs = 2000;

/** The project's policy id, once a policy exists. */
export function retentionId(project: Project): number | undefined {
  const id = Number(project.metadata?.retention_id ?? '');
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export function useRetentionMetadata() {
  const api = useApi();
  return useQuery({
    queryKey: ['retention', 'metadatas'],
    queryFn: () => api.get<RetentionMetadata>('/retentions/metadatas'),
    staleTime: Infinity,
  });
}

export function useRetentionPolicy(policyId: number | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['retention', policyId],
    queryFn: () => api.get<RetentionPolicy>(`/retentions/${policyId}`),
    enabled: policyId !== undefined,
  });
}

export function useRetentionExecutions(policyId: number | undefined, page: number, pageSize: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['retention', policyId, 'executions', page, pageSize],
    queryFn: () => api.list<RetentionExecution>(`/retentions/${policyId}/executions`, { page, page_size: pageSize }),
    enabled: policyId !== undefined,
    placeholderData: (previous) => previous,
    refetchInterval: (current) =>
      current.state.data?.items.some((run) => !isRunFinished(run.status)) ? pollMs : false,
  });
}

/** A run's tasks (one per repository), polled while the run goes on. */
export function useRetentionTasks(policyId: number, run: RetentionExecution) {
  const api = useApi();
  return useQuery({
    queryKey: ['retention', policyId, 'executions', run.id, 'tasks'],
    queryFn: () =>
      api.list<RetentionTask>(`/retentions/${policyId}/executions/${run.id}/tasks`, { page: 1, page_size: 100 }),
    refetchInterval: isRunFinished(run.status) ? false : pollMs,
  });
}

/** A task's log, text/plain, opened by the browser with the session cookie. */
export function retentionTaskLogUrl(policyId: number, executionId: number, taskId: number): string {
  return `${apiBase}/retentions/${policyId}/executions/${executionId}/tasks/${taskId}`;
}

export function useRetentionWrites(policyId: number | undefined) {
  const api = useApi();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['retention', policyId] });
  return {
    /** Saves the whole policy: the first save creates it and the project's retention_id with it. */
    save: useMutation({
      mutationFn: (policy: RetentionPolicyBody) =>
        policyId === undefined
          ? api.write('POST', '/retentions', policy)
          : api.write('PUT', `/retentions/${policyId}`, { ...policy, id: policyId }),
      onSuccess: () => (policyId === undefined ? queryClient.invalidateQueries({ queryKey: ['project'] }) : refresh()),
    }),
    run: useMutation({
      mutationFn: (dryRun: boolean) => api.write('POST', `/retentions/${policyId}/executions`, { dry_run: dryRun }),
      onSuccess: refresh,
    }),
    stop: useMutation({
      mutationFn: (run: RetentionExecution) =>
        api.write('PATCH', `/retentions/${policyId}/executions/${run.id}`, { action: 'stop' }),
      onSuccess: refresh,
    }),
  };
}
