import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Garbage collection: the history of runs (Harbor's GC executions) with their counters, and
// the lease that lets one run at a time go on across replicas and the `berth gc` command.
export function garbageCollection(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('gc_runs')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        // The job service's execution (the same on every retry); null for a `berth gc` run.
        .addColumn('execution_id', dialect.varchar(64), (c) => c.unique())
        .addColumn('kind', dialect.varchar(16), (c) => c.notNull())
        .addColumn('parameters', dialect.text, (c) => c.notNull())
        .addColumn('status', dialect.varchar(16), (c) => c.notNull())
        .addColumn('stop_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blobs_marked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blobs_total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blobs_swept', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('manifests_deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('freed_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        // The log of a `berth gc` run (a job's log lives with its execution).
        .addColumn('log', dialect.text)
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('gc_lease')
        .addColumn('name', dialect.varchar(32), (c) => c.primaryKey())
        // '' when free; else the run holding it until expires_at (renewed while it runs).
        .addColumn('holder', dialect.varchar(255), (c) => c.notNull())
        .addColumn('expires_at', dialect.varchar(32), (c) => c.notNull())
        .execute();
    },
  };
}
