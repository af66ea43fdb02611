import { Migrator, sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './dialect.js';
import { migrationProvider } from './migrations/index.js';

// Runs pending migrations exactly once even when replicas start together. PostgreSQL:
// kysely's Migrator holds a session advisory lock and reads the applied list inside
// its transaction. SQLite: one connection per process, so BEGIN IMMEDIATE around the
// Migrator (which issues no BEGIN of its own on SQLite) makes other processes wait.

export async function migrateToLatest(kysely: Kysely<Database>, dialect: Dialect): Promise<void> {
  // Names are "001_…": a plain comparison, not kysely's default localeCompare, which loads ICU's collation (~2 MiB of RSS).
  const migrator = new Migrator({
    db: kysely,
    provider: migrationProvider(dialect),
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const run = async () => {
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    // Failing before any migration (no server, refused login) keeps the driver's error and its code.
    if (error && !failed) throw error;
    if (failed)
      throw new Error(
        `database migration ${failed.migrationName} failed: ${String((error as Error | undefined)?.message ?? error)}`,
        { cause: error },
      );
  };
  if (dialect.name === 'postgres') return run();
  await sql`BEGIN IMMEDIATE`.execute(kysely);
  try {
    await run();
  } catch (err) {
    await sql`ROLLBACK`.execute(kysely);
    throw err;
  }
  await sql`COMMIT`.execute(kysely);
}
