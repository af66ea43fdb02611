import { useQuery } from '@tanstack/react-query';
import { errorOf } from './client';

// The manifest and the image config come from the registry API (/v2), through the
// Docker token flow the registry's 401 challenge names, as any registry client reads them.

const accept = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Parses `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenge(header: string | null): { realm: string; params: Record<string, string> } | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[match[1]] = match[2];
  const { realm, ...rest } = params;
  return realm ? { realm, params: rest } : undefined;
}

async function registryGet(path: string, headers: Record<string, string>): Promise<Response> {
  let res = await fetch(path, { headers, credentials: 'same-origin' });
  const challenge = res.status === 401 ? parseChallenge(res.headers.get('www-authenticate')) : undefined;
  if (challenge) {
    const url = new URL(challenge.realm, window.location.href);
    for (const [key, value] of Object.entries(challenge.params)) url.searchParams.set(key, value);
    const tokenRes = await fetch(url.pathname + url.search, { credentials: 'same-origin' });
    if (!tokenRes.ok) throw await errorOf(tokenRes);
    const { token } = (await tokenRes.json()) as { token: string };
    res = await fetch(path, { headers: { ...headers, authorization: `Bearer ${token}` }, credentials: 'same-origin' });
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

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

export function useManifest(repository: string, digest: string) {
  return useQuery({
    queryKey: ['manifest', repository, digest],
    queryFn: async () => {
      const res = await registryGet(`/v2/${repository}/manifests/${digest}`, { accept });
      const text = await res.text();
      return { text, json: JSON.parse(text) as ManifestJson };
    },
    retry: false,
    staleTime: Infinity,
  });
}
