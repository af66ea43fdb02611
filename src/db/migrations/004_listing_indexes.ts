import type { Kysely } from 'kysely';

// Indexes for Harbor's artifact list at scale (docs/performance.md: 100k artifacts in
// one repository): the default order (push_time desc, id desc) walks an index instead
// of sorting, the count is taken over it, and a repository's indexes (the only
// artifacts with children) are found without scanning its artifacts.
export function listingIndexes() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('artifacts_repository_push')
        .on('artifacts')
        .columns(['repository_id', 'push_time', 'id'])
        .execute();
      await db.schema
        .createIndex('artifacts_repository_media_type')
        .on('artifacts')
        .columns(['repository_id', 'media_type'])
        .execute();
    },
  };
}
