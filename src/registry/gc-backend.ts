import type { BlobStore } from '../storage/index.js';
import type { BlobRow, createGcQueries } from './gc-queries.js';
import { blobPath } from './paths.js';

// What a collection does to blobs in the database and the blob store. The collector drives it
// page by page; it runs here (PostgreSQL, whose statements run on the server; `berth gc`) or in
// a worker thread over a connection of its own (gc-thread.ts: SQLite, whose statements would
// otherwise run on the thread that serves pulls).

export type GcQueries = ReturnType<typeof createGcQueries>;

export interface GcBackend {
  /** Blobs per page of a collection. */
  readonly pageSize: number;
  blobCount(): Promise<number>;
  /** Blobs left 'deleting' by a collection that stopped part way. */
  deletingBlobs(limit: number): Promise<BlobRow[]>;
  unreferencedBlobs(cutoff: string, after: string, limit: number): Promise<BlobRow[]>;
  /** Marks those of `digests` still unreferenced as 'deleting'; returns them. */
  markDeleting(digests: string[], cutoff: string, now: string): Promise<BlobRow[]>;
  blobsOnlyReferencedBy(artifactIds: number[], cutoff: string): Promise<BlobRow[]>;
  /** Deletes the bytes of marked blobs, `workers` deletions in flight, then their rows. */
  sweep(blobs: BlobRow[], workers: number): Promise<void>;
  close(): Promise<void>;
}

export function localGcBackend(queries: GcQueries, store: BlobStore, pageSize = queries.gcPageSize): GcBackend {
  return {
    pageSize,
    blobCount: () => queries.blobCount(),
    deletingBlobs: (limit) => queries.deletingBlobs(limit),
    unreferencedBlobs: (cutoff, after, limit) => queries.unreferencedBlobs(cutoff, after, limit),
    markDeleting: (digests, cutoff, now) => queries.markDeleting(digests, cutoff, now),
    blobsOnlyReferencedBy: (ids, cutoff) => queries.blobsOnlyReferencedBy(new Set(ids), cutoff),
    async sweep(blobs, workers) {
      // The store skips what is already gone, so a sweep that stopped part way can run again.
      const paths = blobs.map((b) => blobPath(b.digest));
      const slice = Math.max(1, Math.ceil(paths.length / workers));
      const parts: string[][] = [];
      for (let i = 0; i < paths.length; i += slice) parts.push(paths.slice(i, i + slice));
      await Promise.all(parts.map((part) => store.deleteObjects(part)));
      await queries.removeBlobs(blobs.map((b) => b.digest));
    },
    close: async () => {},
  };
}
