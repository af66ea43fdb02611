import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { sqliteDialect, type Dialect } from './dialect.js';
import { migrationProvider } from './migrations/index.js';

export type { Database } from './schema.js';
export type * from './schema.js';
export type { Dialect } from './dialect.js';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Runs every pending migration; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

export function openDatabase(url: string): Db {
  if (url.startsWith('sqlite://')) return openSqlite(url.slice('sqlite://'.length));
  if (/^postgres(ql)?:\/\//.test(url)) throw new DatabaseUrlError('database.url: PostgreSQL support is not built into this version yet; use sqlite://<path>');
  throw new DatabaseUrlError(`database.url: unsupported scheme in "${url.replace(/\/\/[^@]*@/, '//***@')}" (use sqlite:// or postgres://)`);
}

function openSqlite(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return withMigrations(kysely, sqliteDialect);
}

function withMigrations(kysely: Kysely<Database>, dialect: Dialect): Db {
  return {
    kysely,
    dialect,
    async migrate() {
      const migrator = new Migrator({ db: kysely, provider: migrationProvider(dialect) });
      const { error, results } = await migrator.migrateToLatest();
      const failed = results?.find((r) => r.status === 'Error');
      if (error || failed) {
        throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error | undefined)?.message ?? error)}`);
      }
    },
    close: () => kysely.destroy(),
  };
}
