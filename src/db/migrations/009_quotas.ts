import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Project quotas (Harbor's `quota` table for reference "project"): one hard storage limit per
// project, in bytes, -1 for unlimited. Usage is not kept here: project_storage (007) holds it,
// changed in the same transactions as the references it counts.
export function quotas(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('quotas')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('project_id', 'integer', (c) => c.notNull().unique().references('projects.id').onDelete('cascade'))
        .addColumn('hard_storage', 'bigint', (c) => c.notNull())
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .execute();
    },
  };
}
