import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.js';
import { registryCore } from './001_registry.js';

/** Numbered migrations, in order; the same list runs on SQLite and PostgreSQL. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '001_registry': registryCore(dialect),
  };
  return { getMigrations: async () => migrations };
}
