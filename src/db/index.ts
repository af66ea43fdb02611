import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { postgresDialect, sqliteDialect, type Dialect } from './dialect.js';
import { DatabaseUrlError, maskUrl } from './errors.js';
import { BerthError } from '../shared/errors.js';
import { migrateToLatest } from './migrate.js';
import { defaultPoolOptions, openPostgresPool, type PoolOptions, type PoolStats } from './postgres.js';
import { openSqlite } from './sqlite.js';
export { openSqliteConnection } from './sqlite.js';

export type { Database } from './schema.js';
export type * from './schema.js';
export type * from './job-tables.js';
export type { Dialect } from './dialect.js';
export type { PoolOptions, PoolStats } from './postgres.js';
export { DatabaseUrlError, maskUrl } from './errors.js';
export { containsIgnoringCase, likeIgnoringCase, escapeLike, hasRowLocks } from './sql.js';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Runs every pending migration, once across replicas; safe to call on every start. */
  migrate(): Promise<void>;
  /** Connections in use and waiting (PostgreSQL); SQLite has one connection. */
  poolStats(): PoolStats;
  /** One round trip to the database (the health check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The file of a sqlite://<path> database.url (':memory:' for an in-memory one); undefined for another scheme. */
export function sqlitePathOf(url: string): string | undefined {
  return url.startsWith('sqlite://') ? url.slice('sqlite://'.length) : undefined;
}

/** sqlite://<path> or postgres://user:pw@host:5432/db?sslmode=…; the pool options apply to PostgreSQL. */
export function openDatabase(url: string, pool: Partial<PoolOptions> = {}): Db {
  const sqlitePath = sqlitePathOf(url);
  if (sqlitePath !== undefined) {
    const { kysely, stop } = openSqlite(sqlitePath);
    return database(kysely, sqliteDialect, () => ({ total: 1, idle: 0, waiting: 0, max: 1 }), url, stop);
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { kysely, stats } = openPostgresPool(url, { ...defaultPoolOptions, ...definedOnly(pool) });
    return database(kysely, postgresDialect, stats, url, async () => {});
  }
  throw new DatabaseUrlError(`database.url: unsupported scheme in "${maskUrl(url)}" (use sqlite:// or postgres://)`);
}

function database(
  kysely: Kysely<Database>,
  dialect: Dialect,
  poolStats: () => PoolStats,
  url: string,
  beforeClose: () => Promise<void>,
): Db {
  return {
    kysely,
    dialect,
    async migrate() {
      try {
        await migrateToLatest(kysely, dialect);
      } catch (err) {
        throw connectionProblem(err, url) ?? err;
      }
    },
    poolStats,
    ping: async () => void (await sql`select 1`.execute(kysely)),
    async close() {
      await beforeClose();
      await kysely.destroy();
    },
  };
}

/** Unreachable server, refused login, missing database: one line naming database.url. */
function connectionProblem(thrown: unknown, url: string): DatabaseUrlError | undefined {
  // The pool reports a failed connect as 503 UNAVAILABLE; at start the cause is what matters.
  const err = thrown instanceof BerthError && thrown.code === 'UNAVAILABLE' && thrown.cause ? thrown.cause : thrown;
  const code = (err as { code?: unknown }).code;
  const network = typeof code === 'string' && /^E[A-Z]+$/.test(code);
  // 28xxx: invalid authorization; 3D000: no such database; 08xxx: connection exceptions.
  const refused = typeof code === 'string' && /^(28|3D|08)/.test(code);
  const timeout =
    err instanceof Error &&
    /timeout exceeded when trying to connect|Connection terminated|does not support SSL/i.test(err.message);
  if (!network && !refused && !timeout) return undefined;
  return new DatabaseUrlError(`database.url: cannot connect to "${maskUrl(url)}": ${(err as Error).message}`);
}

function definedOnly<T extends object>(value: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
