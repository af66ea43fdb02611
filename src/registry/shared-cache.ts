import type { InvalidationBus } from '../shared/invalidation.js';
import type { CachedContentReads } from './cache.js';

// The registry's in-memory caches made replica-aware: each forget is applied here and
// announced on the bus; what other replicas announce is applied here too.

export function shareContentForgets(reads: CachedContentReads, bus: InvalidationBus | undefined): CachedContentReads {
  if (!bus) return reads;
  bus.subscribe((m) => {
    if (m.kind === 'blob') reads.forgetBlob(m.repository, m.digest);
    else if (m.kind === 'manifest') reads.forgetManifest(m.repository, m.digest);
    else if (m.kind === 'repository') reads.forgetRepository(m.repository);
    else if (m.kind === 'digests') reads.forgetDigests(m.digests);
  });
  return {
    repositoryBlob: (repository, digest) => reads.repositoryBlob(repository, digest),
    manifest: (repository, digest) => reads.manifest(repository, digest),
    forgetBlob(repository, digest) {
      reads.forgetBlob(repository, digest);
      bus.publish({ kind: 'blob', repository, digest });
    },
    forgetManifest(repository, digest) {
      reads.forgetManifest(repository, digest);
      bus.publish({ kind: 'manifest', repository, digest });
    },
    forgetRepository(repository) {
      reads.forgetRepository(repository);
      bus.publish({ kind: 'repository', repository });
    },
    forgetDigests(digests) {
      reads.forgetDigests(digests);
      bus.publish({ kind: 'digests', digests });
    },
  };
}
