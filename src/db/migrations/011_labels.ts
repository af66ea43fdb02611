import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Labels (Harbor's harbor_label and label_reference): global labels (scope 'g', no project)
// and project labels (scope 'p'), a name unique within its scope and project; and which
// artifacts carry which labels. Deleting a label, an artifact or a project takes the rows with it.
export function labels(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('labels')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('name', dialect.varchar(128), (c) => c.notNull())
        .addColumn('description', dialect.text, (c) => c.notNull().defaultTo(''))
        .addColumn('color', dialect.varchar(32), (c) => c.notNull().defaultTo(''))
        .addColumn('scope', dialect.varchar(1), (c) => c.notNull())
        .addColumn('project_id', 'integer', (c) => c.references('projects.id').onDelete('cascade'))
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .execute();
      // A global label has no project: coalesce makes its name unique among global labels too.
      await sql`CREATE UNIQUE INDEX labels_unique_name ON labels (scope, coalesce(project_id, 0), name)`.execute(db);
      await db.schema
        .createTable('artifact_labels')
        .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifacts.id').onDelete('cascade'))
        .addColumn('label_id', 'integer', (c) => c.notNull().references('labels.id').onDelete('cascade'))
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addPrimaryKeyConstraint('artifact_labels_pk', ['artifact_id', 'label_id'])
        .execute();
      await db.schema.createIndex('artifact_labels_label').on('artifact_labels').column('label_id').execute();
    },
  };
}
