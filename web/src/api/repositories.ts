import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import { repositoryPath, type Query } from './client';
import type { Accessory, Artifact, HistoryStep, Repository } from './types';

export function useRepositories(projectName: string | undefined, query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['repositories', projectName, query],
    queryFn: () => api.list<Repository>(`/projects/${encodeURIComponent(projectName ?? '')}/repositories`, query),
    enabled: Boolean(projectName),
    placeholderData: (previous) => previous,
  });
}

export function useDeleteRepository(projectName: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (repository: Repository) => api.write('DELETE', repositoryPath(projectName, repository.name)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['repositories', projectName] }),
  });
}

export function useArtifacts(projectName: string | undefined, repository: string, query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['artifacts', projectName, repository, query],
    queryFn: () =>
      api.list<Artifact>(`${repositoryPath(projectName ?? '', repository)}/artifacts`, {
        with_tag: true,
        with_label: true,
        ...query,
      }),
    enabled: Boolean(projectName),
    placeholderData: (previous) => previous,
  });
}

export function useArtifact(projectName: string | undefined, repository: string, reference: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['artifact', projectName, repository, reference],
    queryFn: () =>
      api.get<Artifact>(`${repositoryPath(projectName ?? '', repository)}/artifacts/${encodeURIComponent(reference)}`, {
        with_tag: true,
        with_label: true,
      }),
    enabled: Boolean(projectName),
  });
}

/** Deletes, tags and untags an artifact, refreshing what shows it. */
export function useArtifactWrites(projectName: string, repository: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const base = `${repositoryPath(projectName, repository)}/artifacts`;
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['artifacts', projectName, repository] }),
      queryClient.invalidateQueries({ queryKey: ['artifact', projectName, repository] }),
      queryClient.invalidateQueries({ queryKey: ['repositories', projectName] }),
    ]);
  return {
    remove: useMutation({
      mutationFn: (digest: string) => api.write('DELETE', `${base}/${digest}`),
      onSuccess: refresh,
    }),
    addTag: useMutation({
      mutationFn: ({ digest, tag }: { digest: string; tag: string }) =>
        api.write('POST', `${base}/${digest}/tags`, { name: tag }),
      onSuccess: refresh,
    }),
    removeTag: useMutation({
      mutationFn: ({ digest, tag }: { digest: string; tag: string }) =>
        api.write('DELETE', `${base}/${digest}/tags/${encodeURIComponent(tag)}`),
      onSuccess: refresh,
    }),
  };
}

/** Signatures, SBOMs and other accessories attached to an artifact, paged by the server. */
export function useAccessories(projectName: string, repository: string, digest: string, query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['accessories', projectName, repository, digest, query],
    queryFn: () =>
      api.list<Accessory>(
        `${repositoryPath(projectName, repository)}/artifacts/${encodeURIComponent(digest)}/accessories`,
        query,
      ),
    placeholderData: (previous) => previous,
  });
}

/** An image's build history from Harbor's additions/build_history (only images have one). */
export function useBuildHistory(projectName: string, repository: string, digest: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['build-history', projectName, repository, digest],
    queryFn: () =>
      api.get<HistoryStep[]>(
        `${repositoryPath(projectName, repository)}/artifacts/${encodeURIComponent(digest)}/additions/build_history`,
      ),
    enabled,
    retry: false,
    staleTime: Infinity,
  });
}
