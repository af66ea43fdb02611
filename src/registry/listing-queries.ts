import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

// The registry's read-only listings in SQL: tags, the catalog and referrers.

export interface ReferrerRow {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  annotations: Record<string, string> | undefined;
}

export function createListingQueries(db: Kysely<Database>) {
  return {
    async listTags(repository: string, limit: number, last: string | undefined): Promise<string[]> {
      let query = db
        .selectFrom('tags as t')
        .innerJoin('repositories as r', 'r.id', 't.repository_id')
        .select('t.name')
        .where('r.name', '=', repository)
        .orderBy('t.name')
        .limit(limit);
      if (last !== undefined) query = query.where('t.name', '>', last);
      return (await query.execute()).map((row) => row.name);
    },

    async listRepositories(limit: number, last: string | undefined): Promise<string[]> {
      let query = db.selectFrom('repositories').select('name').orderBy('name').limit(limit);
      if (last !== undefined) query = query.where('name', '>', last);
      return (await query.execute()).map((row) => row.name);
    },

    async referrers(repository: string, subject: string, artifactType: string | undefined): Promise<ReferrerRow[]> {
      let query = db
        .selectFrom('artifacts as a')
        .innerJoin('repositories as r', 'r.id', 'a.repository_id')
        .select(['a.digest', 'a.media_type', 'a.artifact_type', 'a.manifest_size', 'a.annotations'])
        .where('r.name', '=', repository)
        .where('a.subject_digest', '=', subject)
        .orderBy('a.id');
      if (artifactType !== undefined) query = query.where('a.artifact_type', '=', artifactType);
      const rows = await query.execute();
      return rows.map((row) => ({
        digest: row.digest,
        mediaType: row.media_type,
        artifactType: row.artifact_type,
        size: Number(row.manifest_size),
        annotations: row.annotations ? (JSON.parse(row.annotations) as Record<string, string>) : undefined,
      }));
    },
  };
}
