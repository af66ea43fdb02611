import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Registry core: repositories, blobs and their links, artifacts with raw manifests,
// tags, index children, and upload sessions in progress.
export function registryCore(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('repositories')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('name', dialect.varchar(255), (c) => c.notNull().unique())
        .addColumn('created_at', dialect.varchar(32), (c) => c.notNull())
        .addColumn('updated_at', dialect.varchar(32), (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('blobs')
        .addColumn('digest', dialect.varchar(255), (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('media_type', dialect.varchar(255))
        .addColumn('created_at', dialect.varchar(32), (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('repository_blobs')
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('digest', dialect.varchar(255), (c) => c.notNull().references('blobs.digest'))
        .addColumn('created_at', dialect.varchar(32), (c) => c.notNull())
        .addPrimaryKeyConstraint('repository_blobs_pk', ['repository_id', 'digest'])
        .execute();
      await db.schema.createIndex('repository_blobs_digest').on('repository_blobs').column('digest').execute();

      await db.schema
        .createTable('artifacts')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('digest', dialect.varchar(255), (c) => c.notNull())
        .addColumn('media_type', dialect.varchar(255), (c) => c.notNull())
        .addColumn('artifact_type', dialect.varchar(255))
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('manifest', dialect.binaryType, (c) => c.notNull())
        .addColumn('manifest_size', 'integer', (c) => c.notNull())
        .addColumn('subject_digest', dialect.varchar(255))
        .addColumn('annotations', dialect.text)
        .addColumn('push_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('pull_time', dialect.varchar(32))
        .addUniqueConstraint('artifacts_repository_digest', ['repository_id', 'digest'])
        .execute();
      await db.schema
        .createIndex('artifacts_subject')
        .on('artifacts')
        .columns(['repository_id', 'subject_digest'])
        .execute();
      await db.schema.createIndex('artifacts_digest').on('artifacts').column('digest').execute();

      await db.schema
        .createTable('artifact_blobs')
        .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifacts.id').onDelete('cascade'))
        .addColumn('digest', dialect.varchar(255), (c) => c.notNull())
        .addPrimaryKeyConstraint('artifact_blobs_pk', ['artifact_id', 'digest'])
        .execute();
      await db.schema.createIndex('artifact_blobs_digest').on('artifact_blobs').column('digest').execute();

      await db.schema
        .createTable('artifact_references')
        .addColumn('parent_id', 'integer', (c) => c.notNull().references('artifacts.id').onDelete('cascade'))
        .addColumn('child_digest', dialect.varchar(255), (c) => c.notNull())
        .addColumn('platform', dialect.text)
        .addColumn('annotations', dialect.text)
        .addPrimaryKeyConstraint('artifact_references_pk', ['parent_id', 'child_digest'])
        .execute();
      await db.schema
        .createIndex('artifact_references_child')
        .on('artifact_references')
        .column('child_digest')
        .execute();

      await db.schema
        .createTable('tags')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifacts.id').onDelete('cascade'))
        .addColumn('name', dialect.varchar(255), (c) => c.notNull())
        .addColumn('push_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('pull_time', dialect.varchar(32))
        .addUniqueConstraint('tags_repository_name', ['repository_id', 'name'])
        .execute();
      await db.schema.createIndex('tags_artifact').on('tags').column('artifact_id').execute();

      await db.schema
        .createTable('uploads')
        .addColumn('uuid', dialect.varchar(64), (c) => c.primaryKey())
        .addColumn('repository', dialect.varchar(255), (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('created_at', dialect.varchar(32), (c) => c.notNull())
        .addColumn('updated_at', dialect.varchar(32), (c) => c.notNull())
        .execute();
    },
  };
}
