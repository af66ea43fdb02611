import { useQuery } from '@tanstack/react-query';
import { repositoryPath } from './client';
import { useApi } from './context';

// The manifest comes from Berth's `manifest` addition (the bytes as pushed, read from the
// database), not from /v2: a manifest GET on /v2 is a pull, and viewing an artifact is not.

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ManifestJson {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export function useManifest(projectName: string, repository: string, digest: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['manifest', projectName, repository, digest],
    queryFn: () =>
      api.get<ManifestJson>(
        `${repositoryPath(projectName, repository)}/artifacts/${encodeURIComponent(digest)}/additions/manifest`,
      ),
    retry: false,
    staleTime: Infinity,
  });
}
