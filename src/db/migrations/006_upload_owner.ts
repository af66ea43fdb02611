import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Upload limits: each session records who opened it, and the open sessions and scratch
// bytes of one user or one repository are counted over an index (owner or repository,
// then size), so every replica counts the same rows without reading the table.
export function uploadOwner(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('uploads').addColumn('owner', dialect.varchar(255)).execute();
      await db.schema.createIndex('uploads_owner_size').on('uploads').columns(['owner', 'size']).execute();
      await db.schema.createIndex('uploads_repository_size').on('uploads').columns(['repository', 'size']).execute();
    },
  };
}
