import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BerthError } from '../shared/errors.js';
import { parseDigest } from '../shared/digest.js';
import type { EventBus } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import { PathNotFoundError, type BlobStore, type ByteRange } from '../storage/index.js';
import type { CachedContentReads } from './cache.js';
import { blobPath } from './paths.js';
import type { BlobInfo, RegistryRepo } from './repo.js';

export interface BlobServiceDeps {
  repo: RegistryRepo;
  reads: CachedContentReads;
  store: BlobStore;
  events: EventBus;
  logger: Logger;
}

export interface BlobContent {
  info: BlobInfo;
  /** Present when the store hands the client a URL instead of the bytes. */
  redirectURL?: string;
  /** The bytes as a local file, where the store keeps files (send it with copyFile); else `stream`. */
  file?: FileHandle;
  stream?: Readable;
}

export function createBlobService({ repo, reads, store, events, logger }: BlobServiceDeps) {
  async function stat(repository: string, digest: string): Promise<BlobInfo> {
    parseDigest(digest);
    const info = await reads.repositoryBlob(repository, digest);
    if (!info)
      throw new BerthError('BLOB_UNKNOWN', `blob ${digest} unknown to repository ${repository}`, {
        detail: { digest },
      });
    return info;
  }

  return {
    stat,

    /** The blob's bytes (or a byte range of them), or a redirect URL when the store offers one. */
    async open(
      repository: string,
      digest: string,
      range: (info: BlobInfo) => ByteRange | undefined,
    ): Promise<BlobContent & { range?: ByteRange }> {
      const info = await stat(repository, digest);
      const byteRange = range(info);
      const path = blobPath(digest);
      const redirectURL = store.redirectURL ? await store.redirectURL(path) : undefined;
      if (redirectURL) return { info, redirectURL };
      try {
        if (store.openFile) return { info, range: byteRange, file: await store.openFile(path) };
        return { info, range: byteRange, stream: await store.reader(path, byteRange) };
      } catch (err) {
        if (!(err instanceof PathNotFoundError)) throw err;
        logger.error({ digest, repository }, 'blob is recorded in the database but missing from the blob store');
        reads.forgetBlob(repository, digest);
        throw new BerthError('BLOB_UNKNOWN', `blob ${digest} is missing from storage`, { detail: { digest } });
      }
    },

    /** Unlinks the blob from the repository; garbage collection reclaims the bytes. */
    async delete(repository: string, digest: string): Promise<void> {
      parseDigest(digest);
      const removed = await repo.unlinkBlob(repository, digest);
      reads.forgetBlob(repository, digest);
      if (!removed)
        throw new BerthError('BLOB_UNKNOWN', `blob ${digest} unknown to repository ${repository}`, {
          detail: { digest },
        });
      events.publish({ type: 'blob.deleted', repository, digest });
    },
  };
}

export type BlobService = ReturnType<typeof createBlobService>;
