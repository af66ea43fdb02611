import { createRequire } from 'node:module';
import type pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Database } from './schema.js';
import { parsePostgresUrl } from './postgres-url.js';
import { BerthError } from '../shared/errors.js';

// PostgreSQL through one bounded pg.Pool per process. Sizing: every replica opens up
// to maxOpenConns, so replicas × maxOpenConns must stay below max_connections.

export interface PoolOptions {
  /** Most connections this process opens (pg's `max`). */
  maxOpenConns: number;
  /** Most idle connections kept open; the rest close when released. */
  maxIdleConns: number;
  /** Time allowed to connect, or to wait for a free connection when all are busy. */
  connectTimeoutSeconds: number;
}

export const defaultPoolOptions: PoolOptions = { maxOpenConns: 20, maxIdleConns: 10, connectTimeoutSeconds: 10 };

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

const INT8 = 20;
const NUMERIC = 1700;
/** SQLSTATE 22021 character_not_in_repertoire: e.g. a NUL byte in a text parameter. */
const UNTRANSLATABLE = '22021';

/** bigint columns and count(*) come back as numbers: Berth's values stay below 2^53. */
function parseSafeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) && Number.isInteger(value))
    throw new RangeError(`database value ${text} exceeds 2^53`);
  return value;
}

// pg (with pg-types and pg-protocol) is loaded on first use: an embedded (SQLite) Berth
// never needs it, and it is ~3 MiB of its idle RSS (docs/performance.md).
const loadPg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;

export function openPostgresPool(url: string, options: PoolOptions): { kysely: Kysely<Database>; stats(): PoolStats } {
  const { sslMode: _mode, ...connection } = parsePostgresUrl(url);
  const driver = loadPg();
  const types: pg.CustomTypesConfig = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8 || oid === NUMERIC ? parseSafeNumber : driver.types.getTypeParser(oid, format),
  };
  const pool = new driver.Pool({
    ...connection,
    types,
    max: options.maxOpenConns,
    connectionTimeoutMillis: options.connectTimeoutSeconds * 1000,
    idleTimeoutMillis: 30_000,
  });
  // A connection dropped by the server (restart, failover) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: boundIdle(pool, options) }) });
  return {
    kysely,
    stats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: options.maxOpenConns,
    }),
  };
}

/** Text PostgreSQL cannot store (a NUL character) came from a client: a 400, not a 500. */
function clientInputError(err: unknown): never {
  if ((err as { code?: string }).code === UNTRANSLATABLE)
    throw new BerthError('BAD_REQUEST', 'text must not contain NUL characters', { cause: err });
  throw err;
}

/**
 * No connection for a request (every pooled one stayed busy for connectTimeoutSeconds, or
 * the server is away) is the service's state, not the client's mistake: 503 with
 * Retry-After, the message naming the setting to look at. The original error's message is
 * kept, so a start that cannot connect still says why.
 */
function unavailable(err: unknown, pool: pg.Pool, options: PoolOptions): BerthError {
  const saturated = pool.totalCount >= options.maxOpenConns;
  const message = saturated
    ? `all ${options.maxOpenConns} database connections stayed busy for ${options.connectTimeoutSeconds} s (database.maxOpenConns): ${(err as Error).message}`
    : `the database is unavailable: ${(err as Error).message}`;
  return new BerthError('UNAVAILABLE', message, { headers: { 'Retry-After': '5' }, cause: err });
}

/** pg keeps every released connection idle; this closes those beyond maxIdleConns (Go's SetMaxIdleConns). */
function boundIdle(pool: pg.Pool, options: PoolOptions): PostgresPool {
  const maxIdle = options.maxIdleConns;
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect().catch((err: unknown) => {
        throw unavailable(err, pool, options);
      });
      let wrapped = clients.get(client);
      if (!wrapped) {
        wrapped = {
          // No cursor is configured, so kysely only calls the (sql, parameters) form.
          query: ((text: string, parameters: readonly unknown[]) =>
            client.query(text, [...parameters]).catch(clientInputError)) as unknown as PostgresPoolClient['query'],
          release: (destroy?: boolean) => client.release(destroy === true || pool.idleCount >= maxIdle),
        };
        clients.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}
