import type { Kysely } from 'kysely';
import { hasRowLocks, type Database } from '../db/index.js';
import { createListingQueries } from './listing-queries.js';
import { createUploadQueries } from './upload-queries.js';
import { createUploadUsageQueries } from './upload-usage-queries.js';
import { ensureRepository, findArtifactId, findRepositoryId, type Executor } from './repo-helpers.js';
import { createArtifactWrites } from './artifact-writes.js';
import { createGcQueries } from './gc-queries.js';
import { isIndexChild } from './artifact-scope.js';
import { createStorageQueries, touchBlobs, type StorageGuard } from './storage-accounting.js';

export type { ReferrerRow } from './listing-queries.js';
export type { NewManifest, CopyOutcome, DeletedArtifact } from './artifact-writes.js';

// The registry's SQL for repositories, blobs, manifests and tags (listings and upload
// sessions have their own files). Each mutation runs in one transaction; reads are single queries
// on indexed columns.

export interface BlobInfo {
  digest: string;
  size: number;
  mediaType: string | null;
}

export interface StoredManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  subjectDigest: string | null;
}

export function createRegistryRepo(db: Kysely<Database>, guard?: StorageGuard) {
  // Building and compiling a kysely query costs as much as running this one (profile in
  // docs/performance.md); its two parameters are the repository name and the tag, in that order.
  const tagDigestQuery = db
    .selectFrom('tags as t')
    .innerJoin('repositories as r', 'r.id', 't.repository_id')
    .innerJoin('artifacts as a', 'a.id', 't.artifact_id')
    .select('a.digest')
    .where('r.name', '=', '?repository')
    .where('t.name', '=', '?tag')
    .compile();
  if (tagDigestQuery.parameters.join() !== '?repository,?tag') throw new Error('tagDigest: unexpected parameter order');
  const repositoryId = findRepositoryId;
  const rowLocks = hasRowLocks(db);

  async function link(ex: Executor, repository: string, digest: string, now: string): Promise<void> {
    const repoId = await ensureRepository(ex, repository, now);
    await ex
      .insertInto('repository_blobs')
      .values({ repository_id: repoId, digest, created_at: now })
      .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
      .execute();
  }

  return {
    repositoryExists: async (name: string) => (await repositoryId(db, name)) !== undefined,

    async projectExists(name: string): Promise<boolean> {
      const row = await db.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst();
      return row !== undefined;
    },

    async repositoryBlob(repository: string, digest: string): Promise<BlobInfo | undefined> {
      const row = await db
        .selectFrom('repository_blobs as rb')
        .innerJoin('repositories as r', 'r.id', 'rb.repository_id')
        .innerJoin('blobs as b', 'b.digest', 'rb.digest')
        .select(['b.digest', 'b.size', 'b.media_type'])
        .where('r.name', '=', repository)
        .where('rb.digest', '=', digest)
        .where('b.status', '=', 'ok')
        .executeTakeFirst();
      return row && { digest: row.digest, size: Number(row.size), mediaType: row.media_type };
    },

    /**
     * Links a blob the registry already holds to a repository (a re-upload or a mount) and
     * marks it used now. Undefined when there is no such blob; 'deleting' while garbage
     * collection removes it (the caller waits, then uploads it anew).
     */
    async linkExisting(repository: string, digest: string, now: string): Promise<BlobInfo | 'deleting' | undefined> {
      return db.transaction().execute(async (trx) => {
        // The use is recorded to the touch interval: re-uploads of a popular layer do not queue on its row.
        await touchBlobs(trx, [digest], now);
        // Held until the link commits: a collection deciding about the blob meanwhile waits, then sees it used.
        let query = trx
          .selectFrom('blobs')
          .select(['digest', 'size', 'media_type', 'status'])
          .where('digest', '=', digest);
        if (rowLocks) query = query.forShare();
        const row = await query.executeTakeFirst();
        if (!row) return undefined;
        if (row.status !== 'ok') return 'deleting';
        await link(trx, repository, digest, now);
        return { digest: row.digest, size: Number(row.size), mediaType: row.media_type };
      });
    },

    /**
     * Records a blob whose bytes were just moved into place and links it to the repository.
     * 'deleting' (nothing linked) when garbage collection was removing that digest meanwhile:
     * the bytes just written may be gone with it, so the upload must be made again.
     */
    async insertBlob(repository: string, blob: BlobInfo, now: string): Promise<'linked' | 'deleting'> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('blobs')
          .values({
            digest: blob.digest,
            size: blob.size,
            media_type: blob.mediaType,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('digest').doUpdateSet({ updated_at: now }).where('blobs.status', '=', 'ok'))
          .returning('digest')
          .executeTakeFirst();
        if (!row) return 'deleting';
        await link(trx, repository, blob.digest, now);
        return 'linked';
      });
    },

    async unlinkBlob(repository: string, digest: string): Promise<boolean> {
      const repoId = await repositoryId(db, repository);
      if (repoId === undefined) return false;
      const result = await db
        .deleteFrom('repository_blobs')
        .where('repository_id', '=', repoId)
        .where('digest', '=', digest)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Of `digests`, those linked to the repository. */
    async linkedBlobs(repository: string, digests: string[]): Promise<Map<string, number>> {
      if (digests.length === 0) return new Map();
      const rows = await db
        .selectFrom('repository_blobs as rb')
        .innerJoin('repositories as r', 'r.id', 'rb.repository_id')
        .innerJoin('blobs as b', 'b.digest', 'rb.digest')
        .select(['b.digest', 'b.size'])
        .where('r.name', '=', repository)
        .where('rb.digest', 'in', digests)
        .where('b.status', '=', 'ok')
        .execute();
      return new Map(rows.map((row) => [row.digest, Number(row.size)]));
    },

    /** Of `digests`, the manifests present in the repository, with their media types. */
    async presentManifests(repository: string, digests: string[]): Promise<Map<string, string>> {
      if (digests.length === 0) return new Map();
      const rows = await db
        .selectFrom('artifacts as a')
        .innerJoin('repositories as r', 'r.id', 'a.repository_id')
        .select(['a.digest', 'a.media_type'])
        .where('r.name', '=', repository)
        .where('a.digest', 'in', digests)
        .execute();
      return new Map(rows.map((row) => [row.digest, row.media_type]));
    },

    async manifest(repository: string, digest: string): Promise<StoredManifest | undefined> {
      const row = await db
        .selectFrom('artifacts as a')
        .innerJoin('repositories as r', 'r.id', 'a.repository_id')
        .select(['a.digest', 'a.media_type', 'a.manifest', 'a.subject_digest'])
        .where('r.name', '=', repository)
        .where('a.digest', '=', digest)
        .executeTakeFirst();
      return (
        row && {
          digest: row.digest,
          mediaType: row.media_type,
          bytes: Buffer.from(row.manifest),
          subjectDigest: row.subject_digest,
        }
      );
    },

    /** tag → digest in one indexed query, compiled once: it runs on every pull by tag. */
    async tagDigest(repository: string, tag: string): Promise<string | undefined> {
      const { rows } = await db.executeQuery<{ digest: string }>({ ...tagDigestQuery, parameters: [repository, tag] });
      return rows[0]?.digest;
    },

    /** Adds a tag to an artifact; an existing tag of that name in the repository is left alone. */
    async createTag(
      repository: string,
      digest: string,
      tag: string,
      now: string,
    ): Promise<'created' | 'exists' | 'no-artifact'> {
      return db.transaction().execute(async (trx) => {
        const repoId = await repositoryId(trx, repository);
        const artifactId = repoId === undefined ? undefined : await findArtifactId(trx, repoId, digest);
        if (repoId === undefined || artifactId === undefined) return 'no-artifact';
        const existing = await trx
          .selectFrom('tags')
          .select('id')
          .where('repository_id', '=', repoId)
          .where('name', '=', tag)
          .executeTakeFirst();
        if (existing) return 'exists';
        await trx
          .insertInto('tags')
          .values({ repository_id: repoId, artifact_id: artifactId, name: tag, push_time: now })
          .execute();
        return 'created';
      });
    },

    /** The repository's tags, or those of the artifact `digest` in it. */
    async tagNames(repository: string, digest?: string): Promise<string[]> {
      let query = db
        .selectFrom('tags as t')
        .innerJoin('repositories as r', 'r.id', 't.repository_id')
        .select('t.name')
        .where('r.name', '=', repository);
      if (digest !== undefined)
        query = query.innerJoin('artifacts as a', 'a.id', 't.artifact_id').where('a.digest', '=', digest);
      return (await query.orderBy('t.name').execute()).map((row) => row.name);
    },

    /** Digests of the artifacts no other artifact of the repository lists as an index child. */
    async rootDigests(repository: string): Promise<string[]> {
      const rows = await db
        .selectFrom('artifacts as a')
        .innerJoin('repositories as r', 'r.id', 'a.repository_id')
        .select('a.digest')
        .where('r.name', '=', repository)
        .where((eb) => eb.not(isIndexChild(eb)))
        .execute();
      return rows.map((row) => row.digest);
    },

    /** Removes the repository row; its remaining artifacts, tags and blob links go with it. */
    async deleteRepository(repository: string): Promise<boolean> {
      const result = await db.deleteFrom('repositories').where('name', '=', repository).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Removes one tag; returns the digest it pointed at. */
    async deleteTag(repository: string, tag: string): Promise<string | undefined> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('tags as t')
          .innerJoin('repositories as r', 'r.id', 't.repository_id')
          .innerJoin('artifacts as a', 'a.id', 't.artifact_id')
          .select(['t.id', 'a.digest'])
          .where('r.name', '=', repository)
          .where('t.name', '=', tag)
          .executeTakeFirst();
        if (!row) return undefined;
        await trx.deleteFrom('tags').where('id', '=', row.id).execute();
        return row.digest;
      });
    },

    ...createArtifactWrites(db, guard),
    ...createListingQueries(db),
    ...createStorageQueries(db),
    ...createGcQueries(db),
    ...createUploadQueries(db),
    ...createUploadUsageQueries(db),
  };
}

export type RegistryRepo = ReturnType<typeof createRegistryRepo>;
