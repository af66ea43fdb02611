import type { Kysely, Transaction } from 'kysely';
import type { ArtifactRow, Database } from '../db/index.js';
import { createListingQueries } from './listing-queries.js';
import { createUploadQueries } from './upload-queries.js';
import { createUploadUsageQueries } from './upload-usage-queries.js';

export type { ReferrerRow } from './listing-queries.js';

// The registry's SQL for repositories, blobs, manifests and tags (listings and upload
// sessions have their own files). Each mutation runs in one transaction; reads are single queries
// on indexed columns.

type Executor = Kysely<Database> | Transaction<Database>;

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

export interface NewManifest {
  repository: string;
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  artifactType: string | null;
  subjectDigest: string | null;
  annotations: Record<string, string> | undefined;
  /** Manifest bytes plus referenced blobs. */
  size: number;
  blobDigests: string[];
  children: { digest: string; platform?: Record<string, unknown>; annotations?: Record<string, string> }[];
  /** Tags moved onto the manifest (none for a push by digest without `?tag=`). */
  tags: string[];
  now: string;
}

export type CopyOutcome =
  { kind: 'copied'; mediaType: string; size: number; tags: string[] } | { kind: 'exists' } | { kind: 'source-missing' };

export interface DeletedArtifact {
  digest: string;
  tags: string[];
}

export function createRegistryRepo(db: Kysely<Database>) {
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
  async function repositoryId(ex: Executor, name: string): Promise<number | undefined> {
    const row = await ex.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirst();
    return row?.id;
  }

  async function ensureRepository(ex: Executor, name: string, now: string): Promise<number> {
    // A repository belongs to the project named by its first path segment.
    const projectName = name.includes('/') ? name.slice(0, name.indexOf('/')) : name;
    await ex
      .insertInto('repositories')
      .values((eb) => ({
        name,
        created_at: now,
        updated_at: now,
        project_id: eb.selectFrom('projects').select('id').where('projects.name', '=', projectName),
      }))
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const id = await repositoryId(ex, name);
    if (id === undefined) throw new Error(`repository ${name} vanished during insert`);
    return id;
  }

  async function findArtifactId(ex: Executor, repositoryIdValue: number, digest: string): Promise<number | undefined> {
    const row = await ex
      .selectFrom('artifacts')
      .select('id')
      .where('repository_id', '=', repositoryIdValue)
      .where('digest', '=', digest)
      .executeTakeFirst();
    return row?.id;
  }

  /** Copies the artifact `digest` and its children that the target lacks; returns the root's new id. */
  async function copyTree(trx: Transaction<Database>, sourceId: number, targetId: number, digest: string, now: string) {
    let root: { rootId: number; mediaType: string; size: number } | undefined;
    const pending = [digest];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const current = pending.shift() as string;
      if (seen.has(current)) continue;
      seen.add(current);
      const row = await trx
        .selectFrom('artifacts')
        .selectAll()
        .where('repository_id', '=', sourceId)
        .where('digest', '=', current)
        .executeTakeFirst();
      if (!row) continue;
      const present = await findArtifactId(trx, targetId, current);
      const id = present ?? (await insertCopy(trx, row, targetId, now));
      root ??= { rootId: id, mediaType: row.media_type, size: Number(row.size) };
      const children = await trx
        .selectFrom('artifact_references')
        .select('child_digest')
        .where('parent_id', '=', row.id)
        .execute();
      pending.push(...children.map((c) => c.child_digest));
    }
    if (!root) throw new Error(`artifact ${digest} vanished during copy`);
    return root;
  }

  async function insertCopy(
    trx: Transaction<Database>,
    row: ArtifactRow,
    targetId: number,
    now: string,
  ): Promise<number> {
    const { id: sourceArtifactId, ...columns } = row;
    const inserted = await trx
      .insertInto('artifacts')
      .values({ ...columns, repository_id: targetId, push_time: now, pull_time: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const blobs = await trx
      .selectFrom('artifact_blobs')
      .select('digest')
      .where('artifact_id', '=', sourceArtifactId)
      .execute();
    if (blobs.length > 0) {
      await trx
        .insertInto('artifact_blobs')
        .values(blobs.map((b) => ({ artifact_id: inserted.id, digest: b.digest })))
        .execute();
      await trx
        .insertInto('repository_blobs')
        .values(blobs.map((b) => ({ repository_id: targetId, digest: b.digest, created_at: now })))
        .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
        .execute();
    }
    const references = await trx
      .selectFrom('artifact_references')
      .selectAll()
      .where('parent_id', '=', sourceArtifactId)
      .execute();
    if (references.length > 0) {
      await trx
        .insertInto('artifact_references')
        .values(references.map((r) => ({ ...r, parent_id: inserted.id })))
        .execute();
    }
    return inserted.id;
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
        .executeTakeFirst();
      return row && { digest: row.digest, size: Number(row.size), mediaType: row.media_type };
    },

    async blob(digest: string): Promise<BlobInfo | undefined> {
      const row = await db
        .selectFrom('blobs')
        .select(['digest', 'size', 'media_type'])
        .where('digest', '=', digest)
        .executeTakeFirst();
      return row && { digest: row.digest, size: Number(row.size), mediaType: row.media_type };
    },

    /** Records a verified blob and links it to a repository (creating the repository). */
    async linkBlob(repository: string, blob: BlobInfo, now: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const repoId = await ensureRepository(trx, repository, now);
        await trx
          .insertInto('blobs')
          .values({ digest: blob.digest, size: blob.size, media_type: blob.mediaType, created_at: now })
          .onConflict((oc) => oc.column('digest').doNothing())
          .execute();
        await trx
          .insertInto('repository_blobs')
          .values({ repository_id: repoId, digest: blob.digest, created_at: now })
          .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
          .execute();
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

    /** Stores a manifest (idempotent by digest) and moves the tag onto it, in one transaction. */
    async putManifest(manifest: NewManifest): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const repoId = await ensureRepository(trx, manifest.repository, manifest.now);
        let artifactId = await findArtifactId(trx, repoId, manifest.digest);
        if (artifactId === undefined) {
          const inserted = await trx
            .insertInto('artifacts')
            .values({
              repository_id: repoId,
              digest: manifest.digest,
              media_type: manifest.mediaType,
              artifact_type: manifest.artifactType,
              size: manifest.size,
              manifest: Buffer.from(manifest.bytes),
              manifest_size: manifest.bytes.byteLength,
              subject_digest: manifest.subjectDigest,
              annotations: manifest.annotations ? JSON.stringify(manifest.annotations) : null,
              push_time: manifest.now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          artifactId = inserted.id;
          const blobDigests = [...new Set(manifest.blobDigests)];
          if (blobDigests.length > 0) {
            await trx
              .insertInto('artifact_blobs')
              .values(blobDigests.map((digest) => ({ artifact_id: artifactId as number, digest })))
              .execute();
          }
          const seen = new Set<string>();
          const children = manifest.children.filter((child) => !seen.has(child.digest) && seen.add(child.digest));
          if (children.length > 0) {
            await trx
              .insertInto('artifact_references')
              .values(
                children.map((child) => ({
                  parent_id: artifactId as number,
                  child_digest: child.digest,
                  platform: child.platform ? JSON.stringify(child.platform) : null,
                  annotations: child.annotations ? JSON.stringify(child.annotations) : null,
                })),
              )
              .execute();
          }
        }
        for (const tag of manifest.tags) {
          await trx
            .insertInto('tags')
            .values({ repository_id: repoId, artifact_id: artifactId, name: tag, push_time: manifest.now })
            .onConflict((oc) =>
              oc.columns(['repository_id', 'name']).doUpdateSet({ artifact_id: artifactId, push_time: manifest.now }),
            )
            .execute();
        }
        await trx.updateTable('repositories').set({ updated_at: manifest.now }).where('id', '=', repoId).execute();
      });
    },

    /**
     * Deletes an artifact with its tags; index children that are left untagged and
     * unreferenced go with it, as Harbor does. Returns what was deleted, parent first, or
     * 'referenced' (deleting nothing) when an index of the repository lists the artifact.
     */
    async deleteArtifact(repository: string, digest: string): Promise<DeletedArtifact[] | 'referenced'> {
      return db.transaction().execute(async (trx) => {
        const repoId = await repositoryId(trx, repository);
        if (repoId === undefined) return [];
        if (await hasParent(trx, repoId, digest)) return 'referenced';
        const deleted: DeletedArtifact[] = [];
        const pending = [digest];
        while (pending.length > 0) {
          const current = pending.shift() as string;
          const artifactId = await findArtifactId(trx, repoId, current);
          if (artifactId === undefined) continue;
          const isRoot = deleted.length === 0;
          if (!isRoot && !(await isOrphan(trx, repoId, artifactId, current))) continue;
          const tags = await trx.selectFrom('tags').select('name').where('artifact_id', '=', artifactId).execute();
          const children = await trx
            .selectFrom('artifact_references')
            .select('child_digest')
            .where('parent_id', '=', artifactId)
            .execute();
          await trx.deleteFrom('artifacts').where('id', '=', artifactId).execute();
          deleted.push({ digest: current, tags: tags.map((t) => t.name) });
          pending.push(...children.map((c) => c.child_digest));
        }
        return deleted;
      });

      async function isOrphan(
        trx: Transaction<Database>,
        repoId: number,
        artifactId: number,
        childDigest: string,
      ): Promise<boolean> {
        const tag = await trx.selectFrom('tags').select('id').where('artifact_id', '=', artifactId).executeTakeFirst();
        if (tag) return false;
        return !(await hasParent(trx, repoId, childDigest));
      }

      async function hasParent(trx: Transaction<Database>, repoId: number, childDigest: string): Promise<boolean> {
        const parent = await trx
          .selectFrom('artifact_references as ar')
          .innerJoin('artifacts as a', 'a.id', 'ar.parent_id')
          .select('a.id')
          .where('a.repository_id', '=', repoId)
          .where('ar.child_digest', '=', childDigest)
          .executeTakeFirst();
        return parent !== undefined;
      }
    },

    /**
     * Copies an artifact with its index children, blob links and tags into another
     * repository, in one transaction, as Harbor's artifact copy does.
     */
    async copyArtifact(source: string, digest: string, target: string, now: string): Promise<CopyOutcome> {
      return db.transaction().execute(async (trx) => {
        const sourceId = await repositoryId(trx, source);
        const rootId = sourceId === undefined ? undefined : await findArtifactId(trx, sourceId, digest);
        if (sourceId === undefined || rootId === undefined) return { kind: 'source-missing' };
        const targetId = await ensureRepository(trx, target, now);
        if ((await findArtifactId(trx, targetId, digest)) !== undefined) return { kind: 'exists' };
        const copied = await copyTree(trx, sourceId, targetId, digest, now);
        const tags = await trx
          .selectFrom('tags')
          .select('name')
          .where('artifact_id', '=', rootId)
          .orderBy('name')
          .execute();
        for (const { name } of tags) {
          await trx
            .insertInto('tags')
            .values({ repository_id: targetId, artifact_id: copied.rootId, name, push_time: now })
            .onConflict((oc) =>
              oc.columns(['repository_id', 'name']).doUpdateSet({ artifact_id: copied.rootId, push_time: now }),
            )
            .execute();
        }
        await trx.updateTable('repositories').set({ updated_at: now }).where('id', '=', targetId).execute();
        return { kind: 'copied', mediaType: copied.mediaType, size: copied.size, tags: tags.map((t) => t.name) };
      });
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

    /** Digests of the artifacts no other artifact of the repository lists as an index child. */
    async rootDigests(repository: string): Promise<string[]> {
      const rows = await db
        .selectFrom('artifacts as a')
        .innerJoin('repositories as r', 'r.id', 'a.repository_id')
        .select('a.digest')
        .where('r.name', '=', repository)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('artifact_references as ar')
                .innerJoin('artifacts as p', 'p.id', 'ar.parent_id')
                .select('ar.parent_id')
                .whereRef('p.repository_id', '=', 'a.repository_id')
                .whereRef('ar.child_digest', '=', 'a.digest'),
            ),
          ),
        )
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

    ...createListingQueries(db),
    ...createUploadQueries(db),
    ...createUploadUsageQueries(db),
  };
}

export type RegistryRepo = ReturnType<typeof createRegistryRepo>;
