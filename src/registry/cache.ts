import { LRUCache } from 'lru-cache';
import type { BlobInfo, RegistryRepo, StoredManifest } from './repo.js';

// Content addressed by digest never changes, so what a repository holds under a
// digest can be cached until that repository deletes it. Only hits are cached; a
// miss always asks the database. The wrapper has the same read methods as the repo.

export interface ContentReads {
  repositoryBlob(repository: string, digest: string): Promise<BlobInfo | undefined>;
  manifest(repository: string, digest: string): Promise<StoredManifest | undefined>;
}

export interface CachedContentReads extends ContentReads {
  forgetBlob(repository: string, digest: string): void;
  forgetManifest(repository: string, digest: string): void;
  forgetRepository(repository: string): void;
}

export function cachedContentReads(inner: Pick<RegistryRepo, 'repositoryBlob' | 'manifest'>, maxBytes: number): CachedContentReads {
  if (maxBytes <= 0) return { ...inner, forgetBlob() {}, forgetManifest() {}, forgetRepository() {} };
  const blobs = new LRUCache<string, BlobInfo>({ max: 200_000 });
  const manifests = new LRUCache<string, StoredManifest>({
    maxSize: maxBytes,
    sizeCalculation: (m) => m.bytes.byteLength + 256,
  });
  const key = (repository: string, digest: string) => `${repository}@${digest}`;

  return {
    async repositoryBlob(repository, digest) {
      const k = key(repository, digest);
      const hit = blobs.get(k);
      if (hit) return hit;
      const found = await inner.repositoryBlob(repository, digest);
      if (found) blobs.set(k, found);
      return found;
    },
    async manifest(repository, digest) {
      const k = key(repository, digest);
      const hit = manifests.get(k);
      if (hit) return hit;
      const found = await inner.manifest(repository, digest);
      if (found && found.bytes.byteLength < maxBytes / 4) manifests.set(k, found);
      return found;
    },
    forgetBlob: (repository, digest) => void blobs.delete(key(repository, digest)),
    forgetManifest: (repository, digest) => void manifests.delete(key(repository, digest)),
    forgetRepository(repository) {
      const prefix = `${repository}@`;
      for (const k of blobs.keys()) if (k.startsWith(prefix)) blobs.delete(k);
      for (const k of manifests.keys()) if (k.startsWith(prefix)) manifests.delete(k);
    },
  };
}
