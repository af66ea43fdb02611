import { LRUCache } from 'lru-cache';
import type { BlobInfo, StoredManifest } from './repo.js';

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
  /** Drops the blob entries of these digests in every repository (garbage collection). */
  forgetDigests(digests: string[]): void;
}

type Entry = { kind: 'blob'; blob: BlobInfo } | { kind: 'manifest'; manifest: StoredManifest };

/** Rough bytes an entry holds: its key and strings, plus object overhead. */
const entryOverhead = 256;

export function cachedContentReads(inner: ContentReads, maxBytes: number): CachedContentReads {
  if (maxBytes <= 0) {
    return {
      repositoryBlob: (repository, digest) => inner.repositoryBlob(repository, digest),
      manifest: (repository, digest) => inner.manifest(repository, digest),
      forgetBlob() {},
      forgetManifest() {},
      forgetRepository() {},
      forgetDigests() {},
    };
  }
  // The cached blob keys of each digest, so that garbage collection forgets a page of digests
  // without walking the whole cache (kept in step by the cache's own insert and dispose).
  const blobKeys = new Map<string, Set<string>>();
  // One byte budget for manifests and blob descriptors alike.
  const entries = new LRUCache<string, Entry>({
    maxSize: maxBytes,
    sizeCalculation: (entry, key) =>
      key.length * 2 + entryOverhead + (entry.kind === 'manifest' ? entry.manifest.bytes.byteLength : 0),
    onInsert: (entry, key) => {
      if (entry.kind !== 'blob') return;
      const digest = digestOf(key);
      const keys = blobKeys.get(digest) ?? new Set<string>();
      keys.add(key);
      blobKeys.set(digest, keys);
    },
    dispose: (entry, key) => {
      if (entry.kind !== 'blob') return;
      const digest = digestOf(key);
      const keys = blobKeys.get(digest);
      keys?.delete(key);
      if (keys?.size === 0) blobKeys.delete(digest);
    },
  });
  // Bumped by every forget: a read that began before a delete must not cache what it found.
  let generation = 0;

  async function read<T>(
    key: string,
    load: () => Promise<T | undefined>,
    wrap: (value: T) => Entry | undefined,
    unwrap: (entry: Entry) => T | undefined,
  ): Promise<T | undefined> {
    const hit = entries.get(key);
    if (hit) return unwrap(hit);
    const started = generation;
    const found = await load();
    const entry = found === undefined ? undefined : wrap(found);
    if (entry && started === generation) entries.set(key, entry);
    return found;
  }

  const forget = (key: string) => {
    generation++;
    entries.delete(key);
  };

  return {
    repositoryBlob: (repository, digest) =>
      read(
        blobKey(repository, digest),
        () => inner.repositoryBlob(repository, digest),
        (blob) => ({ kind: 'blob', blob }),
        (entry) => (entry.kind === 'blob' ? entry.blob : undefined),
      ),
    manifest: (repository, digest) =>
      read(
        manifestKey(repository, digest),
        () => inner.manifest(repository, digest),
        // A manifest larger than a quarter of the budget would evict too much to be worth it.
        (manifest) => (manifest.bytes.byteLength < maxBytes / 4 ? { kind: 'manifest', manifest } : undefined),
        (entry) => (entry.kind === 'manifest' ? entry.manifest : undefined),
      ),
    forgetBlob: (repository, digest) => forget(blobKey(repository, digest)),
    forgetManifest: (repository, digest) => forget(manifestKey(repository, digest)),
    forgetRepository(repository) {
      generation++;
      for (const key of entries.keys()) if (repositoryOf(key) === repository) entries.delete(key);
    },
    forgetDigests(digests) {
      if (digests.length === 0) return;
      generation++;
      for (const digest of digests) for (const key of [...(blobKeys.get(digest) ?? [])]) entries.delete(key);
    },
  };
}

const blobKey = (repository: string, digest: string) => `b ${repository}@${digest}`;
const manifestKey = (repository: string, digest: string) => `m ${repository}@${digest}`;

function digestOf(key: string): string {
  return key.slice(key.lastIndexOf('@') + 1);
}

function repositoryOf(key: string): string {
  return key.slice(2, key.lastIndexOf('@'));
}
