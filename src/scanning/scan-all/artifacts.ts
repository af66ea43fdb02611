import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { manifestMediaTypes } from '../../registry/index.js';

// The artifacts a scan all walks (Harbor's artifact iterator, controller/artifact/iterator.go):
// every image and index of every project, in id order, a page at a time. Accessories (an
// artifact with a subject: signatures, SBOMs) are not scanned, as Harbor's scan on push
// leaves them; other artifact types (charts) are nothing an image scanner reads.

export interface WalkedArtifact {
  id: number;
  digest: string;
  project: { id: number; name: string };
  /** The repository's name inside its project ('app' of 'library/app'). */
  repositoryName: string;
}

function scannable(db: Kysely<Database>) {
  return db
    .selectFrom('artifacts as a')
    .innerJoin('repositories as r', 'r.id', 'a.repository_id')
    .innerJoin('projects as p', 'p.id', 'r.project_id')
    .where('a.subject_digest', 'is', null)
    .where('a.media_type', 'in', [...manifestMediaTypes]);
}

/** The next `limit` artifacts after artifact id `afterId`. */
export async function artifactsAfter(db: Kysely<Database>, afterId: number, limit: number): Promise<WalkedArtifact[]> {
  const rows = await scannable(db)
    .select(['a.id', 'a.digest', 'p.id as projectId', 'p.name as projectName', 'r.name as repository'])
    .where('a.id', '>', afterId)
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    digest: row.digest,
    project: { id: row.projectId, name: row.projectName },
    repositoryName: row.repository.slice(row.projectName.length + 1),
  }));
}

/** How many artifacts a walk covers (for its progress). */
export async function countArtifacts(db: Kysely<Database>): Promise<number> {
  const row = await scannable(db)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
