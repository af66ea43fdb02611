import { isoNow, type Clock } from '../shared/clock.js';
import type { EventActor } from '../shared/events.js';
import type { InvalidationBus } from '../shared/invalidation.js';
import type { Logger } from '../shared/logger.js';
import type { BlobStore } from '../storage/index.js';
import type { CachedContentReads } from './cache.js';
import { localGcBackend, type GcBackend } from './gc-backend.js';
import { startGcThread, type GcThreadSettings } from './gc-thread.js';
import type { ManifestService } from './manifests.js';
import type { RegistryRepo } from './repo.js';

// Online garbage collection (mark and sweep over the database, never stopping the registry).
// It deletes, with `deleteUntagged`, the untagged artifacts (through the same delete as a
// user's, so events, audit and quota usage follow), then every blob no artifact references
// that nothing uploaded, mounted or referenced within the time window. Manifests live in the
// database with their artifacts, so "manifests deleted" counts the artifacts that went.
// One collection at a time per deployment: the caller holds the lease (the gc feature).

export interface CollectOptions {
  deleteUntagged: boolean;
  dryRun: boolean;
  /** Hours: blobs uploaded or referenced, and artifacts pushed, within this window are kept. */
  timeWindowHours: number;
  /** Deletions in flight at once in the blob store (Harbor's `workers`, 1 to 5). */
  workers: number;
  signal: AbortSignal;
  /** One line a person reads: what was deleted, with sizes (in a dry run, what would be). */
  log(line: string): void;
  progress(progress: GcProgress): void;
  /** Who deletes, in the events and the audit log. */
  by?: EventActor;
}

export interface GcProgress {
  /** Blobs examined of `blobsTotal` (the registry's blobs when the run started). */
  blobsMarked: number;
  blobsTotal: number;
  blobsSwept: number;
  manifestsDeleted: number;
  freedBytes: number;
}

export interface GcSummary {
  blobs: number;
  manifests: number;
  freedBytes: number;
  dryRun: boolean;
}

export interface CollectorDeps {
  repo: RegistryRepo;
  reads: CachedContentReads;
  store: BlobStore;
  manifests: ManifestService;
  clock: Clock;
  logger: Logger;
  invalidation?: InvalidationBus;
  /** Run the blob work in a worker thread over its own SQLite connection (gc-thread.ts). */
  gcThread?: GcThreadSettings;
}

/**
 * Lets the requests waiting on the event loop run between two of the collection's statements
 * (on SQLite each runs on this thread, and their awaits alone would chain as microtasks).
 */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Harbor's size in logs: 20.3 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function createCollector(deps: CollectorDeps) {
  const { repo, store, gcThread } = deps;
  return {
    async collect(options: CollectOptions): Promise<GcSummary> {
      const backend = gcThread ? await startGcThread(gcThread) : localGcBackend(repo, store);
      try {
        return await collectWith(deps, backend, options);
      } finally {
        await backend.close();
      }
    },
  };
}

async function collectWith(
  { repo, reads, manifests, clock, logger, invalidation }: CollectorDeps,
  backend: GcBackend,
  options: CollectOptions,
): Promise<GcSummary> {
  const { dryRun, signal, log } = options;
  const pageSize = backend.pageSize;
  const workers = Math.min(5, Math.max(1, Math.floor(options.workers)));
  const cutoff = new Date(clock.now().getTime() - options.timeWindowHours * 3_600_000).toISOString();
  const progress: GcProgress = {
    blobsMarked: 0,
    blobsTotal: await backend.blobCount(),
    blobsSwept: 0,
    manifestsDeleted: 0,
    freedBytes: 0,
  };
  const report = () => options.progress({ ...progress });
  log(
    `garbage collection started: delete_untagged=${String(options.deleteUntagged)}, dry_run=${String(dryRun)}, ` +
      `time_window=${String(options.timeWindowHours)}h (keeping what was used after ${cutoff}), workers=${String(workers)}`,
  );
  report();

  // A run that stopped part way left blobs 'deleting': their bytes may be half gone, so they go now.
  if (!dryRun) {
    for (
      let left = await backend.deletingBlobs(pageSize);
      left.length > 0;
      left = await backend.deletingBlobs(pageSize)
    ) {
      signal.throwIfAborted();
      await backend.sweep(left, workers);
      await breathe();
      for (const blob of left) log(`deleted blob ${blob.digest} (${formatBytes(blob.size)}), left by an earlier run`);
      progress.blobsSwept += left.length;
      progress.freedBytes += left.reduce((sum, b) => sum + b.size, 0);
      report();
    }
  }

  // Untagged artifacts go through the same delete as a user's, on this thread (events, audit,
  // quotas). A dry run deletes none, so it counts the blobs only they reference itself.
  const doomed: number[] = [];
  if (options.deleteUntagged) {
    let after = 0;
    for (;;) {
      signal.throwIfAborted();
      const page = await repo.untaggedArtifacts(cutoff, after, repo.gcPageSize);
      await breathe();
      if (page.length === 0) break;
      after = page[page.length - 1]!.id;
      for (const artifact of page) {
        const name = `${artifact.repository}@${artifact.digest}`;
        if (dryRun) {
          log(`would delete untagged artifact ${name} (${formatBytes(artifact.size)})`);
          progress.manifestsDeleted++;
          doomed.push(artifact.id);
          continue;
        }
        const deleted = await manifests.deleteUntagged(artifact.repository, artifact.digest, options.by);
        await breathe();
        for (const digest of deleted) log(`deleted untagged artifact ${artifact.repository}@${digest}`);
        progress.manifestsDeleted += deleted.length;
      }
      report();
    }
  }

  let after = '';
  for (;;) {
    signal.throwIfAborted();
    const page = await backend.unreferencedBlobs(cutoff, after, pageSize);
    await breathe();
    if (page.length === 0) break;
    after = page[page.length - 1]!.digest;
    progress.blobsMarked += page.length;
    if (dryRun) {
      for (const blob of page) log(`would delete blob ${blob.digest} (${formatBytes(blob.size)})`);
      progress.blobsSwept += page.length;
      progress.freedBytes += page.reduce((sum, b) => sum + b.size, 0);
      report();
      continue;
    }
    const marked = await backend.markDeleting(
      page.map((b) => b.digest),
      cutoff,
      isoNow(clock),
    );
    await breathe();
    if (marked.length > 0) {
      // Every replica stops answering HEAD for these blobs before their bytes go.
      reads.forgetDigests(marked.map((b) => b.digest));
      await invalidation?.flush();
      await backend.sweep(marked, workers);
      await breathe();
      for (const blob of marked) log(`deleted blob ${blob.digest} (${formatBytes(blob.size)})`);
      progress.blobsSwept += marked.length;
      progress.freedBytes += marked.reduce((sum, b) => sum + b.size, 0);
    }
    report();
  }

  if (dryRun && doomed.length > 0) {
    const freed = await backend.blobsOnlyReferencedBy(doomed, cutoff);
    for (const blob of freed)
      log(`would delete blob ${blob.digest} (${formatBytes(blob.size)}) of an untagged artifact`);
    progress.blobsSwept += freed.length;
    progress.freedBytes += freed.reduce((sum, b) => sum + b.size, 0);
    report();
  }

  const summary: GcSummary = {
    blobs: progress.blobsSwept,
    manifests: progress.manifestsDeleted,
    freedBytes: progress.freedBytes,
    dryRun,
  };
  const verb = dryRun ? 'would be freed' : 'freed';
  log(
    `${String(summary.blobs)} blobs, ${String(summary.manifests)} manifests, ` +
      `${(summary.freedBytes / 1024 / 1024).toFixed(1)} MiB ${verb}`,
  );
  logger.info({ ...summary }, 'garbage collection finished');
  return summary;
}

export type Collector = ReturnType<typeof createCollector>;
