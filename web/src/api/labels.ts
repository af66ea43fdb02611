import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { repositoryPath, type Query } from './client';
import { useApi } from './context';
import type { Label } from './types';
import type { LabelBody, LabelOwner } from '../lib/labels';

// Harbor's labels (/labels): global ones (scope g) and one project's (scope p), and the
// labels on an artifact (…/artifacts/{reference}/labels).

const ownerQuery = (owner: LabelOwner): Query =>
  owner.scope === 'g' ? { scope: 'g' } : { scope: 'p', project_id: owner.projectId };

/** One page of the owner's labels, `name` filtering by part of the name. */
export function useLabels(owner: LabelOwner | undefined, query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['labels', owner, query],
    queryFn: () => api.list<Label>('/labels', { ...ownerQuery(owner ?? { scope: 'g' }), ...query }),
    enabled: owner !== undefined,
    placeholderData: (previous) => previous,
  });
}

/** Every label a project's artifacts may carry: the global ones, then the project's (Harbor's menu, 100 of each). */
export function useUsableLabels(projectId: number | undefined) {
  const global = useLabels({ scope: 'g' }, { page: 1, page_size: 100 });
  const own = useLabels(projectId === undefined ? undefined : { scope: 'p', projectId }, { page: 1, page_size: 100 });
  return {
    labels: [...(global.data?.items ?? []), ...(own.data?.items ?? [])],
    isSuccess: global.isSuccess && own.isSuccess,
    error: global.error ?? own.error,
  };
}

export function useLabelWrites() {
  const api = useApi();
  const queryClient = useQueryClient();
  const onSuccess = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['labels'] }),
      // A label's new name or color, or its deletion, shows on the artifacts that carry it.
      queryClient.invalidateQueries({ queryKey: ['artifacts'] }),
      queryClient.invalidateQueries({ queryKey: ['artifact'] }),
    ]);
  return {
    create: useMutation({ mutationFn: (label: LabelBody) => api.write('POST', '/labels', label), onSuccess }),
    update: useMutation({
      mutationFn: ({ id, ...label }: LabelBody & { id: number }) => api.write('PUT', `/labels/${id}`, label),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: (label: Label) => api.write('DELETE', `/labels/${label.id}`), onSuccess }),
  };
}

/** Puts a label on an artifact or takes it off, refreshing what shows the artifact. */
export function useArtifactLabelWrites(projectName: string, repository: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const base = `${repositoryPath(projectName, repository)}/artifacts`;
  const onSuccess = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['artifacts', projectName, repository] }),
      queryClient.invalidateQueries({ queryKey: ['artifact', projectName, repository] }),
    ]);
  return {
    add: useMutation({
      mutationFn: ({ digest, label }: { digest: string; label: Label }) =>
        api.write('POST', `${base}/${digest}/labels`, { id: label.id }),
      onSuccess,
    }),
    remove: useMutation({
      mutationFn: ({ digest, label }: { digest: string; label: Label }) =>
        api.write('DELETE', `${base}/${digest}/labels/${label.id}`),
      onSuccess,
    }),
  };
}
