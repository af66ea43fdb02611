import type { Kysely } from 'kysely';
import { hasRowLocks, type Database } from '../db/index.js';
import { isIndexChild, isTagged } from './artifact-scope.js';

// Garbage collection's SQL. A blob goes in three steps, each safe against pushes running
// at the same time:
//
// 1. markDeleting: in one transaction, lock the candidate rows, check (in a statement that
//    starts after the locks are held) that no artifact references them, and set them
//    'deleting'. A manifest PUT claims its blobs with an UPDATE of the same rows
//    (storage-accounting.ts claimBlobs): whichever transaction locks a row first wins, and
//    the other then sees its outcome. A claimed blob is never marked; a marked blob is never
//    claimed (the push is told to upload it again).
// 2. The bytes are deleted from the blob store.
// 3. removeBlobs: the rows go. An upload of the same digest waits for this step
//    (repo.ts linkExisting/insertBlob answer 'deleting' until then).

export interface BlobRow {
  digest: string;
  size: number;
}

export interface UntaggedArtifact {
  id: number;
  repository: string;
  digest: string;
  size: number;
}

/** Digests per statement: well under SQLite's bound-parameter limit. */
export const gcBatch = 500;

/**
 * Blobs per page of a collection. SQLite runs each statement on the JavaScript thread, so a
 * pull that arrives meanwhile waits for it: smaller pages keep that wait to a few milliseconds.
 */
const pageSizes = { rowLocks: 500, sqlite: 50 };

export function createGcQueries(db: Kysely<Database>) {
  const rowLocks = hasRowLocks(db);

  return {
    gcPageSize: rowLocks ? pageSizes.rowLocks : pageSizes.sqlite,

    /** All blob rows, for progress totals. */
    async blobCount(): Promise<number> {
      const row = await db
        .selectFrom('blobs')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Blobs no artifact references, last used before `cutoff`, after `after` in digest order. */
    async unreferencedBlobs(cutoff: string, after: string, limit: number): Promise<BlobRow[]> {
      const rows = await db
        .selectFrom('blobs as b')
        .select(['b.digest', 'b.size'])
        .where('b.status', '=', 'ok')
        .where('b.digest', '>', after)
        .where('b.updated_at', '<', cutoff)
        .where((eb) =>
          eb.not(
            eb.exists(eb.selectFrom('artifact_blobs as ab').select('ab.digest').whereRef('ab.digest', '=', 'b.digest')),
          ),
        )
        .orderBy('b.digest')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ digest: r.digest, size: Number(r.size) }));
    },

    /** Marks as 'deleting' those of `digests` still unreferenced and unused since `cutoff`; returns them. */
    async markDeleting(digests: string[], cutoff: string, now: string): Promise<BlobRow[]> {
      if (digests.length === 0) return [];
      return db.transaction().execute(async (trx) => {
        let locking = trx
          .selectFrom('blobs')
          .select(['digest', 'size'])
          .where('digest', 'in', digests)
          .where('status', '=', 'ok')
          .where('updated_at', '<', cutoff)
          .orderBy('digest');
        if (rowLocks) locking = locking.forUpdate();
        const candidates = await locking.execute();
        if (candidates.length === 0) return [];
        // A new statement: on PostgreSQL it sees what transactions that held these rows committed.
        const referenced = new Set(
          (
            await trx
              .selectFrom('artifact_blobs')
              .select('digest')
              .where(
                'digest',
                'in',
                candidates.map((c) => c.digest),
              )
              .execute()
          ).map((r) => r.digest),
        );
        const blobs = candidates
          .filter((c) => !referenced.has(c.digest))
          .map((c) => ({ digest: c.digest, size: Number(c.size) }));
        if (blobs.length === 0) return [];
        await trx
          .updateTable('blobs')
          .set({ status: 'deleting', updated_at: now })
          .where(
            'digest',
            'in',
            blobs.map((b) => b.digest),
          )
          .execute();
        return blobs;
      });
    },

    /**
     * Of the blobs the artifacts `doomed` reference, those no other artifact references and
     * unused since `cutoff`: what deleting those artifacts would let a collection free (dry run).
     */
    async blobsOnlyReferencedBy(doomed: Set<number>, cutoff: string): Promise<BlobRow[]> {
      const ids = [...doomed];
      const digests = new Set<string>();
      for (let i = 0; i < ids.length; i += gcBatch) {
        const rows = await db
          .selectFrom('artifact_blobs')
          .select('digest')
          .where('artifact_id', 'in', ids.slice(i, i + gcBatch))
          .execute();
        for (const row of rows) digests.add(row.digest);
      }
      const list = [...digests].sort();
      const freed: BlobRow[] = [];
      for (let i = 0; i < list.length; i += gcBatch) {
        const chunk = list.slice(i, i + gcBatch);
        const refs = await db
          .selectFrom('artifact_blobs')
          .select(['digest', 'artifact_id'])
          .where('digest', 'in', chunk)
          .execute();
        const kept = new Set(refs.filter((r) => !doomed.has(r.artifact_id)).map((r) => r.digest));
        const blobs = await db
          .selectFrom('blobs')
          .select(['digest', 'size'])
          .where('digest', 'in', chunk)
          .where('status', '=', 'ok')
          .where('updated_at', '<', cutoff)
          .execute();
        for (const b of blobs) if (!kept.has(b.digest)) freed.push({ digest: b.digest, size: Number(b.size) });
      }
      return freed;
    },

    /** Blobs left 'deleting' (by a collection that stopped part way), to finish first. */
    async deletingBlobs(limit: number): Promise<BlobRow[]> {
      const rows = await db
        .selectFrom('blobs')
        .select(['digest', 'size'])
        .where('status', '=', 'deleting')
        .orderBy('digest')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ digest: r.digest, size: Number(r.size) }));
    },

    /** Removes the rows of blobs whose bytes are gone (only those still 'deleting'). */
    async removeBlobs(digests: string[]): Promise<void> {
      if (digests.length === 0) return;
      await db.transaction().execute(async (trx) => {
        const gone = (
          await trx
            .selectFrom('blobs')
            .select('digest')
            .where('digest', 'in', digests)
            .where('status', '=', 'deleting')
            .execute()
        ).map((r) => r.digest);
        if (gone.length === 0) return;
        await trx.deleteFrom('repository_blobs').where('digest', 'in', gone).execute();
        await trx.deleteFrom('blobs').where('digest', 'in', gone).execute();
      });
    },

    /**
     * Untagged artifacts pushed before `cutoff`, after `afterId`: neither the child of an index
     * nor the subject of an accessory, nor an accessory of an artifact still there (those go with
     * their index or subject).
     */
    async untaggedArtifacts(cutoff: string, afterId: number, limit: number): Promise<UntaggedArtifact[]> {
      const rows = await db
        .selectFrom('artifacts as a')
        .innerJoin('repositories as r', 'r.id', 'a.repository_id')
        .select(['a.id', 'r.name as repository', 'a.digest', 'a.size'])
        .where('a.id', '>', afterId)
        .where('a.push_time', '<', cutoff)
        .where((eb) =>
          eb.and([
            eb.not(isTagged(eb)),
            eb.not(isIndexChild(eb)),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('artifacts as s')
                  .select('s.id')
                  .whereRef('s.repository_id', '=', 'a.repository_id')
                  .whereRef('s.subject_digest', '=', 'a.digest'),
              ),
            ),
            // An accessory whose subject is still there is the subject's, not garbage.
            eb.or([
              eb('a.subject_digest', 'is', null),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('artifacts as subject')
                    .select('subject.id')
                    .whereRef('subject.repository_id', '=', 'a.repository_id')
                    .whereRef('subject.digest', '=', 'a.subject_digest'),
                ),
              ),
            ]),
          ]),
        )
        .orderBy('a.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, repository: r.repository, digest: r.digest, size: Number(r.size) }));
    },
  };
}
