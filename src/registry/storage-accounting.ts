import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/index.js';
import { BerthError } from '../shared/errors.js';

// What each project stores, counted the way Harbor counts quota usage: the sum of the sizes
// of the distinct blobs (layers, configs, manifests) that the project's artifacts reference.
// A layer shared by two images of one project counts once; the same layer in two projects
// counts in each. The counts change in the same transaction as the references, so a refused
// or interrupted push leaves nothing half-counted.

/** A blob (or manifest) an artifact references. */
export interface StoredItem {
  digest: string;
  size: number;
}

/** A project's stored bytes growing inside a push's transaction. */
export interface StorageGrowth {
  projectId: number;
  repository: string;
  /** Bytes the project stores anew (blobs it did not reference before). */
  added: number;
  usedBefore: number;
  usedAfter: number;
}

/** An upload about to be accepted into a project that does not store its digest yet. */
export interface UploadAdmission {
  projectId: number;
  project: string;
  repository: string;
  digest: string;
  /** Bytes the project would store once an artifact references the blob. */
  adding: number;
  used: number;
}

/**
 * The hook quotas plug into (main.ts wires it). `grow` runs inside the transaction and throws
 * a coded error to refuse (everything rolls back); what it returns runs after the commit.
 */
export interface StorageGuard {
  grow(trx: Transaction<Database>, growth: StorageGrowth): Promise<(() => void) | void>;
  admit(upload: UploadAdmission): Promise<void>;
}

/** A project whose recorded usage differs from a recount. */
export interface UsageDrift {
  projectId: number;
  project: string;
  recorded: number;
  actual: number;
}

type Executor = Kysely<Database> | Transaction<Database>;

/** Merges items of one digest and sorts by digest: rows are then locked in one order by every transaction. */
function distinctSorted(items: StoredItem[]): StoredItem[] {
  const byDigest = new Map<string, number>();
  for (const { digest, size } of items) byDigest.set(digest, size);
  return [...byDigest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([digest, size]) => ({ digest, size }));
}

/** Rows per statement: well under SQLite's bound-parameter limit. */
const chunkRows = 200;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += chunkRows) out.push(items.slice(i, i + chunkRows));
  return out;
}

/** One reference more from the project to each item; returns the bytes of items it did not hold. */
export async function addReferences(
  trx: Transaction<Database>,
  projectId: number,
  items: StoredItem[],
): Promise<number> {
  let added = 0;
  for (const chunk of chunks(distinctSorted(items))) {
    const rows = await trx
      .insertInto('project_blobs')
      .values(chunk.map((item) => ({ project_id: projectId, digest: item.digest, size: item.size, refs: 1 })))
      .onConflict((oc) => oc.columns(['project_id', 'digest']).doUpdateSet({ refs: sql`project_blobs.refs + 1` }))
      .returning(['refs', 'size'])
      .execute();
    for (const row of rows) if (Number(row.refs) === 1) added += Number(row.size);
  }
  return added;
}

/** One reference less to each item; returns the bytes of items the project no longer references. */
export async function removeReferences(
  trx: Transaction<Database>,
  projectId: number,
  items: StoredItem[],
): Promise<number> {
  let freed = 0;
  for (const chunk of chunks(distinctSorted(items))) {
    const digests = chunk.map((item) => item.digest);
    const rows = await trx
      .updateTable('project_blobs')
      .set({ refs: sql`refs - 1` })
      .where('project_id', '=', projectId)
      .where('digest', 'in', digests)
      .returning(['refs', 'size'])
      .execute();
    for (const row of rows) if (Number(row.refs) <= 0) freed += Number(row.size);
    await trx
      .deleteFrom('project_blobs')
      .where('project_id', '=', projectId)
      .where('digest', 'in', digests)
      .where('refs', '<=', 0)
      .execute();
  }
  return freed;
}

/** Moves the project's usage by `delta` bytes; returns it before and after. */
export async function adjustUsage(
  trx: Transaction<Database>,
  projectId: number,
  delta: number,
): Promise<{ before: number; after: number }> {
  await trx
    .insertInto('project_storage')
    .values({ project_id: projectId, used: 0 })
    .onConflict((oc) => oc.column('project_id').doNothing())
    .execute();
  const row = await trx
    .updateTable('project_storage')
    .set({ used: sql`used + ${delta}` })
    .where('project_id', '=', projectId)
    .returning('used')
    .executeTakeFirstOrThrow();
  const after = Number(row.used);
  return { before: after - delta, after };
}

/** The blobs (with sizes) and the manifest an artifact references. */
export async function artifactItems(ex: Executor, artifactId: number): Promise<StoredItem[]> {
  const blobs = await ex
    .selectFrom('artifact_blobs as ab')
    .innerJoin('blobs as b', 'b.digest', 'ab.digest')
    .select(['b.digest', 'b.size'])
    .where('ab.artifact_id', '=', artifactId)
    .execute();
  const manifest = await ex
    .selectFrom('artifacts')
    .select(['digest', 'manifest_size'])
    .where('id', '=', artifactId)
    .executeTakeFirstOrThrow();
  return [
    ...blobs.map((b) => ({ digest: b.digest, size: Number(b.size) })),
    { digest: manifest.digest, size: Number(manifest.manifest_size) },
  ];
}

/** A blob's use is recorded at most this often: a popular base layer is not rewritten by every push. */
export const touchIntervalMs = 1000;

/** `now` minus the touch interval, as the ISO string the timestamps are compared with. */
export function touchedBefore(now: string): string {
  return new Date(Date.parse(now) - touchIntervalMs).toISOString();
}

/** Records that blobs were used now, where their record is older than the touch interval. */
export async function touchBlobs(trx: Transaction<Database>, digests: string[], now: string): Promise<void> {
  await trx
    .updateTable('blobs')
    .set({ updated_at: now })
    .where('digest', 'in', digests)
    .where('status', '=', 'ok')
    .where('updated_at', '<', touchedBefore(now))
    .execute();
}

/**
 * Claims the blobs a manifest is about to reference, refusing blobs that garbage collection
 * is deleting, and records that they were used now (to the touch interval).
 *
 * On PostgreSQL the claim holds a share lock on each row until the push commits: pushes
 * sharing a base layer do not wait for each other, but a collection deciding about the same
 * blob (gc-queries.ts markDeleting, SELECT … FOR UPDATE) waits for the push and then sees its
 * references. The timestamp is written first, and only where it is older than the interval,
 * so a transaction never upgrades a share lock it holds (two would deadlock).
 */
export async function claimBlobs(
  trx: Transaction<Database>,
  digests: string[],
  now: string,
  rowLocks: boolean,
): Promise<void> {
  const wanted = [...new Set(digests)].sort();
  for (const chunk of chunks(wanted)) {
    await touchBlobs(trx, chunk, now);
    let query = trx.selectFrom('blobs').select('digest').where('digest', 'in', chunk).where('status', '=', 'ok');
    if (rowLocks) query = query.forShare();
    const rows = await query.execute();
    if (rows.length === chunk.length) continue;
    const claimed = new Set(rows.map((r) => r.digest));
    const missing = chunk.find((digest) => !claimed.has(digest)) as string;
    throw new BerthError('MANIFEST_BLOB_UNKNOWN', `blob ${missing} is being garbage-collected; push it again`, {
      detail: { digest: missing },
    });
  }
}

/** The project a repository belongs to (null when its project is gone). */
export async function projectOfRepository(trx: Executor, repositoryId: number): Promise<number | null> {
  const row = await trx
    .selectFrom('repositories')
    .select('project_id')
    .where('id', '=', repositoryId)
    .executeTakeFirst();
  return row?.project_id ?? null;
}

/** The usage a recount from the artifacts gives, per project (projects storing nothing included). */
async function recount(db: Executor, projectIds?: number[]): Promise<Map<number, number>> {
  const referenced = sql`
    SELECT r.project_id AS project_id, ab.digest AS digest, b.size AS size
      FROM artifact_blobs ab
      JOIN artifacts a ON a.id = ab.artifact_id
      JOIN repositories r ON r.id = a.repository_id
      JOIN blobs b ON b.digest = ab.digest
    UNION
    SELECT r.project_id, a.digest, a.manifest_size
      FROM artifacts a JOIN repositories r ON r.id = a.repository_id`;
  const rows = await sql<{ project_id: number; used: number | string | null }>`
    SELECT project_id, SUM(size) AS used FROM (SELECT DISTINCT project_id, digest, size FROM (${referenced}) d) x
    WHERE project_id IS NOT NULL
    GROUP BY project_id`.execute(db);
  const projects = await db.selectFrom('projects').select('id').execute();
  const wanted = new Set(projectIds ?? projects.map((p) => p.id));
  const usage = new Map<number, number>();
  for (const { id } of projects) if (wanted.has(id)) usage.set(id, 0);
  for (const row of rows.rows)
    if (usage.has(Number(row.project_id))) usage.set(Number(row.project_id), Number(row.used ?? 0));
  return usage;
}

export function createStorageQueries(db: Kysely<Database>) {
  return {
    /** Recorded usage (bytes) of each project asked for; projects storing nothing answer 0. */
    async usage(projectIds: number[]): Promise<Map<number, number>> {
      const usage = new Map(projectIds.map((id) => [id, 0]));
      for (const chunk of chunks(projectIds)) {
        const rows = await db
          .selectFrom('project_storage')
          .select(['project_id', 'used'])
          .where('project_id', 'in', chunk)
          .execute();
        for (const row of rows) usage.set(row.project_id, Number(row.used));
      }
      return usage;
    },

    /** What an upload into `projectName` would add to the project's usage (0 when it already stores the digest). */
    async uploadGrowth(
      projectName: string,
      digest: string,
    ): Promise<{ projectId: number; used: number; holds: boolean } | undefined> {
      const row = await db
        .selectFrom('projects as p')
        .leftJoin('project_storage as s', 's.project_id', 'p.id')
        .leftJoin('project_blobs as pb', (join) =>
          join.onRef('pb.project_id', '=', 'p.id').on('pb.digest', '=', digest),
        )
        .select(['p.id', 's.used', 'pb.refs'])
        .where('p.name', '=', projectName)
        .executeTakeFirst();
      return row && { projectId: row.id, used: Number(row.used ?? 0), holds: row.refs !== null };
    },

    /**
     * Recounts usage from the artifacts and the references from scratch; with `fix`, rewrites
     * the references and usage of the projects that drifted. Returns the drift found.
     */
    async verify({ fix, projectIds }: { fix: boolean; projectIds?: number[] }): Promise<UsageDrift[]> {
      const actual = await recount(db, projectIds);
      const recorded = await this.usage([...actual.keys()]);
      const names = new Map(
        (await db.selectFrom('projects').select(['id', 'name']).execute()).map((p) => [p.id, p.name]),
      );
      const drift: UsageDrift[] = [];
      for (const [projectId, used] of actual) {
        const was = recorded.get(projectId) ?? 0;
        if (was !== used) drift.push({ projectId, project: names.get(projectId) ?? '', recorded: was, actual: used });
      }
      if (fix) for (const { projectId } of drift) await rebuild(db, projectId);
      return drift;
    },
  };
}

/** Rewrites one project's references and usage from its artifacts, in one transaction. */
async function rebuild(db: Kysely<Database>, projectId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('project_blobs').where('project_id', '=', projectId).execute();
    await sql`
      INSERT INTO project_blobs (project_id, digest, size, refs)
      SELECT ${projectId}, digest, MAX(size), SUM(refs) FROM (
        SELECT ab.digest AS digest, b.size AS size, COUNT(*) AS refs
          FROM artifact_blobs ab
          JOIN artifacts a ON a.id = ab.artifact_id
          JOIN repositories r ON r.id = a.repository_id
          JOIN blobs b ON b.digest = ab.digest
          WHERE r.project_id = ${projectId}
          GROUP BY ab.digest, b.size
        UNION ALL
        SELECT a.digest, a.manifest_size, COUNT(*)
          FROM artifacts a JOIN repositories r ON r.id = a.repository_id
          WHERE r.project_id = ${projectId}
          GROUP BY a.digest, a.manifest_size
      ) refs
      GROUP BY digest`.execute(trx);
    const total = await trx
      .selectFrom('project_blobs')
      .select((eb) => eb.fn.sum<number | string | null>('size').as('used'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    await trx.deleteFrom('project_storage').where('project_id', '=', projectId).execute();
    await trx
      .insertInto('project_storage')
      .values({ project_id: projectId, used: Number(total?.used ?? 0) })
      .execute();
  });
}

export type StorageQueries = ReturnType<typeof createStorageQueries>;
