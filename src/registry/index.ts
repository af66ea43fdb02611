import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/events.js';
import type { Locks } from '../shared/locks.js';
import type { Logger } from '../shared/logger.js';
import type { BlobStore } from '../storage/index.js';
import { cachedContentReads } from './cache.js';
import { shareContentForgets } from './shared-cache.js';
import type { InvalidationBus } from '../shared/invalidation.js';
import { createBlobService } from './blobs.js';
import { createListingService } from './listings.js';
import { createManifestService } from './manifests.js';
import { createRegistryRepo } from './repo.js';
import { createRepositoryService } from './repositories.js';
import { createUploadService } from './uploads.js';
import type { UploadLimitSettings } from './upload-limits.js';
import { uploadPurgeJob } from './upload-purge.js';
import { createCollector } from './collector.js';
import type { StorageGuard } from './storage-accounting.js';
import type { TagProtection } from './tag-protection.js';
import type { GcThreadSettings } from './gc-thread.js';
import type { Feature } from '../feature.js';

export { checkRepositoryName, isValidRepositoryName, parseReference, isValidTag } from './names.js';
export {
  parseManifest,
  mediaTypes,
  manifestMediaTypes,
  isManifestMediaType,
  type ParsedManifest,
  type Descriptor,
} from './manifest.js';
export { parseByteRange, parseContentRange, uploadRangeHeader } from './range.js';
export { copyFile, DestinationClosedError } from './file-copy.js';
export type { BlobInfo, StoredManifest } from './repo.js';
export type { BlobContent } from './blobs.js';
export type { Page, ReferrersIndex } from './listings.js';
export type { Body } from './uploads.js';
export type { UploadLimitSettings } from './upload-limits.js';
export { uploadPurgeJobType } from './upload-purge.js';
export type { GcThreadSettings } from './gc-thread.js';
export { formatBytes, type Collector, type CollectOptions, type GcProgress, type GcSummary } from './collector.js';
export { isIndexChild, isTagged, type ArtifactScope } from './artifact-scope.js';
export type { StorageGuard, StorageGrowth, UploadAdmission, UsageDrift } from './storage-accounting.js';
export { immutableTagError, type TagProtection } from './tag-protection.js';

export interface RegistryOptions {
  db: Kysely<Database>;
  store: BlobStore;
  locks: Locks;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  maxManifestBytes: number;
  cacheBytes: number;
  /** Bounds on open upload sessions and their scratch bytes (unlimited when absent). */
  uploadLimits?: UploadLimitSettings;
  /** Tells other replicas what this one deleted, and applies what they delete. */
  invalidation?: InvalidationBus;
  /** Quotas' hook on pushes that grow a project's stored bytes. */
  storageGuard?: StorageGuard;
  /** Tag immutability's hook on everything that moves or deletes a tag. */
  tagProtection?: TagProtection;
  /** Garbage collection's blob work in a worker thread (SQLite: see gc-thread.ts). */
  gcThread?: GcThreadSettings;
}

/** The OCI registry core: blobs, uploads, manifests, tags, catalog, referrers. */
export function createRegistry(options: RegistryOptions) {
  const repo = createRegistryRepo(options.db, options.storageGuard);
  const reads = shareContentForgets(cachedContentReads(repo, options.cacheBytes), options.invalidation);
  const deps = { ...options, repo, reads, guard: options.storageGuard };
  const manifests = createManifestService(deps);
  return {
    blobs: createBlobService(deps),
    uploads: createUploadService(deps),
    manifests,
    listings: createListingService(deps),
    repositories: createRepositoryService({ ...deps, manifests }),
    collector: createCollector({ ...deps, manifests }),
    storage: {
      /** Bytes each project stores (Harbor's quota usage), by project id. */
      usage: (projectIds: number[]) => repo.usage(projectIds),
      /** Recounts usage from the artifacts; with `fix`, corrects the projects that drifted. */
      verify: (options: { fix: boolean; projectIds?: number[] }) => repo.verify(options),
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;

/** The registry as a feature: its upload purge job (its /v2 routes are the OCI API's own table). */
export function registryFeature(
  registry: Registry,
  options: { clock: Clock; uploadPurge: { ageHours: number; cron: string } },
): Feature {
  return {
    name: 'registry',
    jobs: [uploadPurgeJob({ uploads: registry.uploads, clock: options.clock, schedule: options.uploadPurge })],
  };
}
