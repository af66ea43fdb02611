import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Storage accounting and online garbage collection.
//
// - blobs.status: 'ok', or 'deleting' while garbage collection removes the bytes; a manifest
//   PUT or upload never builds on a blob in that state. blobs.updated_at is when the blob was
//   last uploaded, mounted or referenced by a manifest: the grace window counts from it.
// - project_blobs: which distinct blobs (layers, configs and manifests) the artifacts of a
//   project reference, with how many references; project_storage: the sum of their sizes,
//   Harbor's dedup-aware quota usage, kept in the same transactions as the references.
export function storageAccounting(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('blobs')
        .addColumn('status', dialect.varchar(16), (c) => c.notNull().defaultTo('ok'))
        .execute();
      await db.schema.alterTable('blobs').addColumn('updated_at', dialect.varchar(32)).execute();
      await sql`UPDATE blobs SET updated_at = created_at`.execute(db);
      // Garbage collection pages through the blobs of one status in digest order (and finds the
      // 'deleting' ones left by a stopped run); an index led by updated_at would match nearly
      // every blob at collection time and make each page cost the whole table.
      await db.schema.createIndex('blobs_status_digest').on('blobs').columns(['status', 'digest']).execute();

      await db.schema
        .createTable('project_blobs')
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('digest', dialect.varchar(255), (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('refs', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('project_blobs_pk', ['project_id', 'digest'])
        .execute();
      await db.schema
        .createTable('project_storage')
        .addColumn('project_id', 'integer', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
        .addColumn('used', 'bigint', (c) => c.notNull())
        .execute();

      await backfillStorageAccounting(db);
    },
  };
}

/** Counts what the artifacts already stored reference, as the registry counts from now on. */
export async function backfillStorageAccounting(db: Kysely<unknown>): Promise<void> {
  await sql`
    INSERT INTO project_blobs (project_id, digest, size, refs)
    SELECT project_id, digest, MAX(size), SUM(refs) FROM (
      SELECT r.project_id AS project_id, ab.digest AS digest, b.size AS size, COUNT(*) AS refs
        FROM artifact_blobs ab
        JOIN artifacts a ON a.id = ab.artifact_id
        JOIN repositories r ON r.id = a.repository_id
        JOIN blobs b ON b.digest = ab.digest
        WHERE r.project_id IS NOT NULL
        GROUP BY r.project_id, ab.digest, b.size
      UNION ALL
      SELECT r.project_id, a.digest, a.manifest_size, COUNT(*)
        FROM artifacts a
        JOIN repositories r ON r.id = a.repository_id
        WHERE r.project_id IS NOT NULL
        GROUP BY r.project_id, a.digest, a.manifest_size
    ) refs
    GROUP BY project_id, digest`.execute(db);
  await sql`
    INSERT INTO project_storage (project_id, used)
    SELECT p.id, COALESCE((SELECT SUM(pb.size) FROM project_blobs pb WHERE pb.project_id = p.id), 0)
      FROM projects p`.execute(db);
}
