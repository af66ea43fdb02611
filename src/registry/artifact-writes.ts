import type { Kysely, Transaction } from 'kysely';
import { hasRowLocks, type ArtifactRow, type Database } from '../db/index.js';
import { ensureRepository, findArtifactId, findRepositoryId } from './repo-helpers.js';
import {
  addReferences,
  adjustUsage,
  artifactItems,
  claimBlobs,
  projectOfRepository,
  removeReferences,
  type StorageGuard,
  type StoredItem,
} from './storage-accounting.js';

// The registry's artifact writes: manifest PUT, artifact DELETE (with its index children)
// and artifact copy. Each runs in one transaction that also claims the blobs it builds on
// (against garbage collection) and keeps the project's storage accounting, where the
// quota guard may refuse it before anything is committed.

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
  /** The blobs (layers, config) the manifest references, with their sizes. */
  blobs: StoredItem[];
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

/** PostgreSQL's "deadlock detected": the transaction is rolled back and can run again. */
const deadlockCode = '40P01';
const deadlockRetries = 3;

export function createArtifactWrites(db: Kysely<Database>, guard: StorageGuard | undefined) {
  const rowLocks = hasRowLocks(db);
  /** Runs `fn` in a transaction (again after a deadlock), then what the guard asked to run after the commit. */
  async function write<T>(fn: (trx: Transaction<Database>, afterCommit: (() => void)[]) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const afterCommit: (() => void)[] = [];
      try {
        const result = await db.transaction().execute((trx) => fn(trx, afterCommit));
        for (const run of afterCommit) run();
        return result;
      } catch (err) {
        if ((err as { code?: string }).code !== deadlockCode || attempt >= deadlockRetries) throw err;
      }
    }
  }

  /** Adds the project's references to `items` and grows its usage, asking the guard first. */
  async function account(
    trx: Transaction<Database>,
    afterCommit: (() => void)[],
    repository: string,
    repositoryId: number,
    items: StoredItem[],
  ): Promise<void> {
    const projectId = await projectOfRepository(trx, repositoryId);
    if (projectId === null) return;
    const added = await addReferences(trx, projectId, items);
    if (added === 0) return;
    const { before, after } = await adjustUsage(trx, projectId, added);
    const then = await guard?.grow(trx, { projectId, repository, added, usedBefore: before, usedAfter: after });
    if (then) afterCommit.push(then);
  }

  /** Removes an artifact row with its references from the project's accounting. */
  async function removeArtifact(trx: Transaction<Database>, repositoryId: number, artifactId: number): Promise<void> {
    const projectId = await projectOfRepository(trx, repositoryId);
    if (projectId !== null) {
      const freed = await removeReferences(trx, projectId, await artifactItems(trx, artifactId));
      if (freed > 0) await adjustUsage(trx, projectId, -freed);
    }
    await trx.deleteFrom('artifacts').where('id', '=', artifactId).execute();
  }

  async function insertCopy(
    trx: Transaction<Database>,
    afterCommit: (() => void)[],
    row: ArtifactRow,
    target: { name: string; id: number },
    now: string,
  ): Promise<number> {
    const { id: sourceArtifactId, ...columns } = row;
    const items = await artifactItems(trx, sourceArtifactId);
    const blobs = items.slice(0, -1);
    await claimBlobs(
      trx,
      blobs.map((b) => b.digest),
      now,
      rowLocks,
    );
    const inserted = await trx
      .insertInto('artifacts')
      .values({ ...columns, repository_id: target.id, push_time: now, pull_time: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (blobs.length > 0) {
      await trx
        .insertInto('artifact_blobs')
        .values(blobs.map((b) => ({ artifact_id: inserted.id, digest: b.digest })))
        .execute();
      await trx
        .insertInto('repository_blobs')
        .values(blobs.map((b) => ({ repository_id: target.id, digest: b.digest, created_at: now })))
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
    await account(trx, afterCommit, target.name, target.id, items);
    return inserted.id;
  }

  /** Copies the artifact `digest` and its children that the target lacks; returns the root's new id. */
  async function copyTree(
    trx: Transaction<Database>,
    afterCommit: (() => void)[],
    sourceId: number,
    target: { name: string; id: number },
    digest: string,
    now: string,
  ) {
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
      const present = await findArtifactId(trx, target.id, current);
      const id = present ?? (await insertCopy(trx, afterCommit, row, target, now));
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

  async function isTagged(trx: Transaction<Database>, artifactId: number): Promise<boolean> {
    const tag = await trx.selectFrom('tags').select('id').where('artifact_id', '=', artifactId).executeTakeFirst();
    return tag !== undefined;
  }

  /** Whether an artifact of the repository names `digest` as its subject (a signature, an SBOM…). */
  async function hasAccessory(trx: Transaction<Database>, repoId: number, digest: string): Promise<boolean> {
    const row = await trx
      .selectFrom('artifacts')
      .select('id')
      .where('repository_id', '=', repoId)
      .where('subject_digest', '=', digest)
      .executeTakeFirst();
    return row !== undefined;
  }

  return {
    /** Stores a manifest (idempotent by digest) and moves the tags onto it, in one transaction. */
    async putManifest(manifest: NewManifest): Promise<void> {
      await write(async (trx, afterCommit) => {
        const repoId = await ensureRepository(trx, manifest.repository, manifest.now);
        let artifactId = await findArtifactId(trx, repoId, manifest.digest);
        let created = false;
        if (artifactId === undefined) {
          await claimBlobs(
            trx,
            manifest.blobs.map((b) => b.digest),
            manifest.now,
            rowLocks,
          );
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
          const blobDigests = [...new Set(manifest.blobs.map((b) => b.digest))];
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
          created = true;
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
        // Last: the project's usage row stays locked from here to the commit, and pushes to the project queue on it.
        if (created)
          await account(trx, afterCommit, manifest.repository, repoId, [
            ...manifest.blobs,
            { digest: manifest.digest, size: manifest.bytes.byteLength },
          ]);
      });
    },

    /**
     * Deletes an artifact with its tags; index children that are left untagged and
     * unreferenced go with it, as Harbor does. Returns what was deleted, parent first, or
     * 'referenced' (deleting nothing) when an index of the repository lists the artifact.
     * With `untaggedOnly`, an artifact that has a tag or an accessory is kept (nothing deleted):
     * garbage collection's check, made in the deleting transaction so a tag added meanwhile wins.
     */
    async deleteArtifact(
      repository: string,
      digest: string,
      options: { untaggedOnly?: boolean } = {},
    ): Promise<DeletedArtifact[] | 'referenced'> {
      return write(async (trx) => {
        const repoId = await findRepositoryId(trx, repository);
        if (repoId === undefined) return [];
        if (await hasParent(trx, repoId, digest)) return 'referenced';
        const deleted: DeletedArtifact[] = [];
        const pending = [digest];
        while (pending.length > 0) {
          const current = pending.shift() as string;
          const artifactId = await findArtifactId(trx, repoId, current);
          if (artifactId === undefined) continue;
          const isRoot = deleted.length === 0;
          if (isRoot && options.untaggedOnly) {
            if ((await isTagged(trx, artifactId)) || (await hasAccessory(trx, repoId, current))) return [];
          }
          if (!isRoot && ((await isTagged(trx, artifactId)) || (await hasParent(trx, repoId, current)))) continue;
          const tags = await trx.selectFrom('tags').select('name').where('artifact_id', '=', artifactId).execute();
          const children = await trx
            .selectFrom('artifact_references')
            .select('child_digest')
            .where('parent_id', '=', artifactId)
            .execute();
          await removeArtifact(trx, repoId, artifactId);
          deleted.push({ digest: current, tags: tags.map((t) => t.name) });
          pending.push(...children.map((c) => c.child_digest));
        }
        return deleted;
      });
    },

    /**
     * Copies an artifact with its index children, blob links and tags into another
     * repository, in one transaction, as Harbor's artifact copy does.
     */
    async copyArtifact(source: string, digest: string, target: string, now: string): Promise<CopyOutcome> {
      return write(async (trx, afterCommit): Promise<CopyOutcome> => {
        const sourceId = await findRepositoryId(trx, source);
        const rootId = sourceId === undefined ? undefined : await findArtifactId(trx, sourceId, digest);
        if (sourceId === undefined || rootId === undefined) return { kind: 'source-missing' };
        const targetId = await ensureRepository(trx, target, now);
        if ((await findArtifactId(trx, targetId, digest)) !== undefined) return { kind: 'exists' };
        const copied = await copyTree(trx, afterCommit, sourceId, { name: target, id: targetId }, digest, now);
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
  };
}

export type ArtifactWrites = ReturnType<typeof createArtifactWrites>;
