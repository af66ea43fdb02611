import { randomUUID } from 'node:crypto';
import { BerthError } from '../shared/errors.js';
import { Digester, parseDigest, type DigestAlgorithm } from '../shared/digest.js';
import { isoNow, type Clock } from '../shared/clock.js';
import type { Locks } from '../shared/locks.js';
import { lazyLru } from '../cache/index.js';
import type { Logger } from '../shared/logger.js';
import { PathNotFoundError, type BlobStore, type ByteRange } from '../storage/index.js';
import type { CachedContentReads } from './cache.js';
import { blobPath, uploadDataPath, uploadDir } from './paths.js';
import type { BlobInfo, RegistryRepo } from './repo.js';
import { createUploadLimits, unlimitedUploads, type UploadLimitSettings } from './upload-limits.js';
import type { StorageGuard } from './storage-accounting.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long completing an upload waits for garbage collection to finish deleting the same digest. */
const deletingWaitMs = 30_000;
const deletingPollMs = 100;

/** The blob went to garbage collection while this upload completed: the client uploads it again. */
function collectedMeanwhile(digest: string): BerthError {
  return new BerthError('BLOB_UPLOAD_INVALID', `blob ${digest} was being garbage-collected; upload it again`, {
    detail: { digest },
  });
}

/** Running hashes kept per process: far more sessions than upload concurrently. */
const maxRunningHashes = 10_000;

// Blob upload sessions (distribution spec "Pushing blobs"). Bytes go to a scratch
// object; on completion they are verified against the digest and moved under it. The
// data object is the truth for how much was received; the hash state is kept in memory
// while the same process receives the chunks, and rebuilt by re-reading otherwise.

export interface UploadServiceDeps {
  repo: RegistryRepo;
  reads: CachedContentReads;
  store: BlobStore;
  locks: Locks;
  clock: Clock;
  logger: Logger;
  uploadLimits?: UploadLimitSettings;
  /** Quotas' check before an upload is accepted. */
  guard?: StorageGuard;
}

export interface UploadState {
  uuid: string;
  size: number;
}

export type Body = AsyncIterable<Uint8Array>;

/** A ranged chunk's body went past the range's end. */
class ChunkTooLong extends Error {}

/** A chunk went past what the scratch limits leave. */
class OverScratchLimit extends Error {}

export function createUploadService({
  repo,
  reads,
  store,
  locks,
  clock,
  logger,
  uploadLimits,
  guard,
}: UploadServiceDeps) {
  const limits = createUploadLimits(repo, uploadLimits ?? unlimitedUploads);
  /** Running hashes of sessions this process is receiving, valid while their size matches. */
  // Bounded: an abandoned session's hasher (or one completed on another replica) ages out; a miss re-hashes.
  const hashers = lazyLru<string, Digester>(maxRunningHashes);

  async function session(
    repository: string,
    uuid: string,
  ): Promise<{ uuid: string; repository: string; owner: string | null }> {
    const row = /^[0-9a-f-]{36}$/.test(uuid) ? await repo.upload(uuid) : undefined;
    if (!row || row.repository !== repository) {
      throw new BerthError('BLOB_UPLOAD_UNKNOWN', `upload ${uuid.slice(0, 64)} unknown to repository ${repository}`, {
        detail: { uuid },
      });
    }
    return row;
  }

  async function receivedBytes(uuid: string): Promise<number> {
    try {
      return (await store.stat(uploadDataPath(uuid))).size;
    } catch (err) {
      if (err instanceof PathNotFoundError) return 0;
      throw err;
    }
  }

  /** Appends a body to the session, checking `Content-Range` against what was received. */
  async function append(
    uuid: string,
    body: Body,
    range: ByteRange | undefined,
    declaredLength: number | undefined,
    allowance = Infinity,
  ): Promise<number> {
    if (declaredLength !== undefined && declaredLength > allowance) throw limits.overAllowance(allowance);
    const current = await receivedBytes(uuid);
    if (range) {
      const expected = range.end - range.start + 1;
      if (range.start !== current || (declaredLength !== undefined && declaredLength !== expected)) {
        throw new BerthError(
          'RANGE_INVALID',
          `chunk ${range.start}-${range.end} does not continue the upload at byte ${current}`,
          {
            headers: { Range: `0-${current > 0 ? current - 1 : 0}`, 'Docker-Upload-UUID': uuid },
            detail: { uuid, size: current },
          },
        );
      }
    }
    let hasher = hashers.get(uuid);
    if (current === 0) hasher = new Digester('sha256');
    if (hasher && hasher.size !== current) hasher = undefined;
    hashers.delete(uuid);

    // A chunk never writes past the end its Content-Range names, even when its length is not declared.
    const limit = range ? range.end - range.start + 1 : Infinity;
    const writer = await store.writer(uploadDataPath(uuid), { append: true });
    try {
      let received = 0;
      for await (const chunk of body) {
        received += chunk.length;
        if (received > limit) throw new ChunkTooLong();
        if (received > allowance) throw new OverScratchLimit();
        await writer.write(chunk);
        hasher?.update(chunk);
      }
      await writer.commit();
    } catch (err) {
      if (err instanceof OverScratchLimit) throw limits.overAllowance(allowance);
      if (!(err instanceof ChunkTooLong)) throw err;
      // What came before the excess stays as any interrupted request's bytes do (committed or not, per the store); the Range says which.
      const size = await receivedBytes(uuid);
      throw new BerthError('SIZE_INVALID', `chunk ${range!.start}-${range!.end} carried more than its ${limit} bytes`, {
        headers: { Range: `0-${size > 0 ? size - 1 : 0}`, 'Docker-Upload-UUID': uuid },
      });
    } finally {
      await writer.close();
    }
    if (hasher && hasher.size === writer.size) hashers.set(uuid, hasher);
    if (range && writer.size !== range.end + 1) {
      throw new BerthError('SIZE_INVALID', `chunk ${range.start}-${range.end} ended at byte ${writer.size}`, {
        headers: { Range: `0-${writer.size > 0 ? writer.size - 1 : 0}` },
      });
    }
    await repo.setUploadSize(uuid, writer.size, isoNow(clock));
    return writer.size;
  }

  async function computeDigest(uuid: string, algorithm: DigestAlgorithm, size: number): Promise<string> {
    const running = hashers.get(uuid);
    if (running && running.algorithm === algorithm && running.size === size) return running.digest();
    logger.debug({ uuid, algorithm }, 're-hashing upload from storage');
    const digester = new Digester(algorithm);
    if (size > 0) {
      for await (const chunk of await store.reader(uploadDataPath(uuid))) digester.update(chunk as Uint8Array);
    }
    return digester.digest();
  }

  async function discard(uuid: string): Promise<void> {
    hashers.delete(uuid);
    await store.delete(uploadDir(uuid)).catch((err: unknown) => {
      if (!(err instanceof PathNotFoundError)) throw err;
    });
    await repo.deleteUpload(uuid);
  }

  async function begin(repository: string, owner: string | undefined): Promise<UploadState> {
    await limits.checkNewSession(repository, owner);
    const uuid = randomUUID();
    await repo.createOwnedUpload(uuid, repository, owner, isoNow(clock));
    return { uuid, size: 0 };
  }

  /** Bytes a session may still receive under the scratch limits (of its owner and repository). */
  function allowanceOf(repository: string, owner: string | null): Promise<number> {
    return limits.scratchAllowance(repository, owner ?? undefined);
  }

  /**
   * Links an existing blob to the repository, waiting while garbage collection finishes
   * deleting it (then there is none: undefined).
   */
  async function linkExisting(repository: string, digest: string): Promise<BlobInfo | undefined> {
    const deadline = Date.now() + deletingWaitMs;
    for (;;) {
      const outcome = await repo.linkExisting(repository, digest, isoNow(clock));
      if (outcome !== 'deleting') return outcome;
      if (Date.now() >= deadline) throw collectedMeanwhile(digest);
      await sleep(deletingPollMs);
    }
  }

  /** Refuses an upload the project's quota has no room for (storage guard, when quotas are on). */
  async function admit(repository: string, digest: string, size: number): Promise<void> {
    if (!guard) return;
    const project = repository.includes('/') ? repository.slice(0, repository.indexOf('/')) : repository;
    const growth = await repo.uploadGrowth(project, digest);
    if (!growth || growth.holds) return;
    await guard.admit({ projectId: growth.projectId, project, repository, digest, adding: size, used: growth.used });
  }

  /** Verifies the received bytes against `digest` and publishes them as a blob of the repository. */
  async function finish(repository: string, uuid: string, digest: string): Promise<BlobInfo> {
    const { algorithm } = parseDigest(digest);
    const size = await receivedBytes(uuid);
    const actual = await computeDigest(uuid, algorithm, size);
    if (actual !== digest) {
      await discard(uuid);
      throw new BerthError('DIGEST_INVALID', `uploaded content has digest ${actual}, not ${digest}`, {
        detail: { expected: digest, actual },
      });
    }
    await admit(repository, digest, size);
    const existing = await linkExisting(repository, digest);
    if (existing) {
      await discard(uuid);
      return existing;
    }
    if (size === 0) await store.putContent(uploadDataPath(uuid), new Uint8Array());
    await store.move(uploadDataPath(uuid), blobPath(digest));
    const info: BlobInfo = { digest, size, mediaType: null };
    const outcome = await repo.insertBlob(repository, info, isoNow(clock));
    await discard(uuid);
    if (outcome === 'deleting') throw collectedMeanwhile(digest);
    return info;
  }

  return {
    /**
     * `POST /blobs/uploads/`: mounts `mount` from `from` when that repository has it
     * (returns the blob), else opens a session.
     */
    async start(
      repository: string,
      mount?: { digest: string; from: string },
      owner?: string,
    ): Promise<{ mounted: BlobInfo } | { session: UploadState }> {
      if (mount) {
        parseDigest(mount.digest);
        // A blob garbage collection is deleting is not mounted: the client uploads it instead.
        const source = await reads.repositoryBlob(mount.from, mount.digest);
        const mounted = source && (await repo.linkExisting(repository, mount.digest, isoNow(clock)));
        if (mounted && mounted !== 'deleting') return { mounted };
      }
      return { session: await begin(repository, owner) };
    },

    /** Monolithic upload: `POST ?digest=` with the whole blob as the body. */
    async monolithic(
      repository: string,
      digest: string,
      body: Body,
      owner?: string,
      declaredLength?: number,
    ): Promise<BlobInfo> {
      parseDigest(digest);
      const { uuid } = await begin(repository, owner);
      return locks.withLock(`upload:${uuid}`, async () => {
        try {
          await append(uuid, body, undefined, declaredLength, await allowanceOf(repository, owner ?? null));
          return await finish(repository, uuid, digest);
        } catch (err) {
          await discard(uuid).catch(() => undefined);
          throw err;
        }
      });
    },

    /** `PATCH`: a chunk (with `Content-Range`) or a stream (without). */
    async patch(
      repository: string,
      uuid: string,
      body: Body,
      range: ByteRange | undefined,
      declaredLength: number | undefined,
    ): Promise<UploadState> {
      const { owner } = await session(repository, uuid);
      return locks.withLock(`upload:${uuid}`, async () => ({
        uuid,
        size: await append(uuid, body, range, declaredLength, await allowanceOf(repository, owner)),
      }));
    },

    /** `PUT ?digest=`: an optional last chunk, then verification. */
    async complete(
      repository: string,
      uuid: string,
      digest: string,
      body: Body | undefined,
      range: ByteRange | undefined,
      declaredLength: number | undefined,
    ): Promise<BlobInfo> {
      const { owner } = await session(repository, uuid);
      parseDigest(digest);
      return locks.withLock(`upload:${uuid}`, async () => {
        if (body) await append(uuid, body, range, declaredLength, await allowanceOf(repository, owner));
        return finish(repository, uuid, digest);
      });
    },

    async status(repository: string, uuid: string): Promise<UploadState> {
      await session(repository, uuid);
      return { uuid, size: await receivedBytes(uuid) };
    },

    /** Upload sessions open across the deployment. */
    openCount(): Promise<number> {
      return repo.openUploadCount();
    },

    /** Sessions a client abandoned: nothing received since `cutoff`. */
    idleSince(cutoff: string): Promise<string[]> {
      return repo.idleUploads(cutoff);
    },

    /** Discards a session if it is still idle, checked under its lock so a PATCH in flight is never cut. */
    async purgeIfIdle(uuid: string, cutoff: string): Promise<boolean> {
      return locks.withLock(`upload:${uuid}`, async () => {
        const updatedAt = await repo.uploadUpdatedAt(uuid);
        if (updatedAt === undefined || updatedAt >= cutoff) return false;
        await discard(uuid);
        return true;
      });
    },

    async cancel(repository: string, uuid: string): Promise<void> {
      await session(repository, uuid);
      await locks.withLock(`upload:${uuid}`, () => discard(uuid));
    },
  };
}

export type UploadService = ReturnType<typeof createUploadService>;
