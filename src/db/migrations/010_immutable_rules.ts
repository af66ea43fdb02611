import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Tag immutability rules (Harbor's immutable_tag_rule): per project, a repository selector and
// a tag selector in Harbor's rule shape, kept as the JSON the API speaks; `tag_filter` is that
// JSON without the id and the disabled flag, unique per project (Harbor refuses a duplicate).
export function immutableRules(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('immutable_rules')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('tag_filter', dialect.text, (c) => c.notNull())
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .addUniqueConstraint('immutable_rules_project_filter', ['project_id', 'tag_filter'])
        .execute();
    },
  };
}
