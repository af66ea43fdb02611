import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

// The database under test: SQLite in the data directory (the default), or with
// BERTH_TEST_DATABASE=postgres a fresh PostgreSQL database per test server, created
// next to BERTH_TEST_POSTGRES_URL. A data directory remembers its database, so a
// test that restarts Berth on the same directory reopens the same database.

export type TestDatabaseKind = 'sqlite' | 'postgres';

export const testDatabaseKind: TestDatabaseKind =
  process.env.BERTH_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

const baseUrl = process.env.BERTH_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Small pools: the suite runs many servers at once against one shared PostgreSQL. */
export const testPool = { maxOpenConns: 4, maxIdleConns: 2 };

const markerFile = '.berth-test-database';
const prefix = 'berth_t_';
/** Databases left by runs that died (named with their creation time) go after this long. */
const staleAfterSeconds = 6 * 3600;
const created = new Set<string>();
let swept = false;

/** The URL of database `name` on the test PostgreSQL server. */
export function postgresUrl(name: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `work` on a connection to the base database (for CREATE/DROP DATABASE). */
export async function withAdminConnection<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL tests cannot run, or undefined when they can; under CI=true a down server is an error. */
export async function postgresUnavailable(): Promise<string | undefined> {
  try {
    await withAdminConnection((client) => client.query('select 1'));
    return undefined;
  } catch (err) {
    const message = `PostgreSQL at ${baseUrl} is not answering (${String(err)})`;
    if (process.env.CI === 'true') throw new Error(`${message}: required in CI`, { cause: err });
    return message;
  }
}

/** Creates an empty database with a name no other run or process can pick; returns its name. */
export async function createPostgresDatabase(options: { template?: string; locale?: string } = {}): Promise<string> {
  const name = `${prefix}${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(6).toString('hex')}`;
  await withAdminConnection(async (client) => {
    if (!swept) {
      swept = true;
      await dropStale(client);
    }
    const clauses = options.locale
      ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${options.locale}' LOCALE 'C.UTF-8'`
      : '';
    await retryBusy(() => client.query(`CREATE DATABASE ${name}${clauses}`));
  });
  created.add(name);
  return name;
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  created.delete(name);
  await withAdminConnection((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Config for a test server on `dataDir`: nothing on SQLite; on PostgreSQL the
 * database remembered by the data directory, or a new one.
 */
export async function testDatabaseFor(dataDir: string): Promise<{ url: string; name: string } | undefined> {
  if (testDatabaseKind === 'sqlite') return undefined;
  const marker = join(dataDir, markerFile);
  if (existsSync(marker)) {
    const name = readFileSync(marker, 'utf8').trim();
    return { url: postgresUrl(name), name };
  }
  const name = await createPostgresDatabase();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(marker, name);
  return { url: postgresUrl(name), name };
}

/** CREATE DATABASE from template1 fails while another session copies it; try again shortly. */
async function retryBusy<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

async function dropStale(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`,
  );
  const now = Date.now() / 1000;
  for (const { datname } of rows) {
    const born = parseInt(datname.slice(prefix.length).split('_')[0] ?? '', 36);
    if (!Number.isFinite(born) || now - born < staleAfterSeconds) continue;
    // Without FORCE: a database someone still uses stays.
    await client.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => undefined);
  }
}

// Databases kept for reopening (restart tests) go when this test process ends.
let dropping = false;
process.on('beforeExit', () => {
  if (dropping || created.size === 0) return;
  dropping = true;
  void Promise.allSettled([...created].map((name) => dropPostgresDatabase(name))).finally(() => (dropping = false));
});
