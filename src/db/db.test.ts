import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { containsIgnoringCase, openDatabase, type Db } from './index.js';
import { migrationProvider } from './migrations/index.js';
import { sqliteDialect } from './dialect.js';
import { createRegistryRepo } from '../registry/repo.js';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  postgresUrl,
  withAdminConnection,
} from '../../test/helpers/database.js';

// One suite, every dialect: the same migrations and queries must behave alike.

const childScript = new URL('../../test/helpers/migrate-child.ts', import.meta.url).pathname;
const migrationNames = Object.keys(await migrationProvider(sqliteDialect).getMigrations());

interface Target {
  name: 'sqlite' | 'postgres';
  /** A new empty database; `byteOrderHostile` gives PostgreSQL a locale that sorts unlike bytes. */
  create(options?: { byteOrderHostile?: boolean }): Promise<{ url: string; drop(): Promise<void> }>;
}

const sqliteTarget: Target = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'berth-db-'));
    return { url: `sqlite://${dir}/berth.db`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgresTarget: Target = {
  name: 'postgres',
  async create(options = {}) {
    const name = await createPostgresDatabase(options.byteOrderHostile ? { locale: 'en-US' } : {});
    return { url: postgresUrl(name), drop: () => dropPostgresDatabase(name) };
  },
};

async function postgresReachable(): Promise<boolean> {
  return withAdminConnection(async () => true).catch(() => false);
}

function runChild(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', childScript, url], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

async function appliedMigrations(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db.kysely);
  return rows.map((r) => r.name);
}

const postgresUp = await postgresReachable();
if (!postgresUp && process.env.CI === 'true') throw new Error('PostgreSQL is not reachable at BERTH_TEST_POSTGRES_URL');

for (const target of [sqliteTarget, postgresTarget]) {
  const skip =
    target.name === 'postgres' && !postgresUp ? 'PostgreSQL is not reachable (BERTH_TEST_POSTGRES_URL)' : false;
  describe(`database on ${target.name}`, { skip }, () => {
    let url: string;
    let db: Db;
    let drop: () => Promise<void>;

    before(async () => {
      ({ url, drop } = await target.create({ byteOrderHostile: true }));
      db = openDatabase(url, { maxOpenConns: 3 });
      await db.migrate();
    });

    after(async () => {
      await db?.close();
      await drop?.();
    });

    test('migrations apply, and applying them again changes nothing', async () => {
      assert.deepEqual(await appliedMigrations(db), migrationNames);
      await db.migrate();
      assert.deepEqual(await appliedMigrations(db), migrationNames);
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM repositories`.execute(db.kysely);
      assert.equal(rows[0]?.n, 0, 'count(*) comes back as a JS number');
    });

    test('three processes migrating one new database at once: each migration runs once, all three start', async () => {
      const fresh = await target.create();
      try {
        const outputs = await Promise.all([runChild(fresh.url), runChild(fresh.url), runChild(fresh.url)]);
        assert.deepEqual(outputs, ['migrated\n', 'migrated\n', 'migrated\n']);
        const check = openDatabase(fresh.url);
        try {
          assert.deepEqual(await appliedMigrations(check), migrationNames);
        } finally {
          await check.close();
        }
      } finally {
        await fresh.drop();
      }
    });

    test('bigint values up to 2^53 - 1 round-trip as numbers', async () => {
      const now = new Date().toISOString();
      const sizes = [0, 2 ** 31, 5 * 2 ** 40, Number.MAX_SAFE_INTEGER];
      await db.kysely
        .insertInto('blobs')
        .values(sizes.map((size, i) => ({ digest: `sha256:int8-${i}`, size, media_type: null, created_at: now })))
        .execute();
      const rows = await db.kysely
        .selectFrom('blobs')
        .select(['digest', 'size'])
        .where('digest', 'like', 'sha256:int8-%')
        .orderBy('digest')
        .execute();
      assert.deepEqual(
        rows.map((r) => r.size),
        sizes,
      );
      for (const row of rows) assert.equal(typeof row.size, 'number');
      const { rows: sum } = await sql<{
        total: number;
      }>`SELECT sum(size) AS total FROM blobs WHERE digest IN ('sha256:int8-1', 'sha256:int8-2')`.execute(db.kysely);
      assert.equal(sum[0]?.total, 2 ** 31 + 5 * 2 ** 40, 'sum(bigint) is a number too');
    });

    test('repository and tag listings sort and page by bytes, whatever the database locale', async () => {
      const names = [
        'library/b',
        'library/B',
        'library/a',
        'library/A',
        'library/_x',
        'library/Z',
        'library/a-b',
        'library/a_b',
        'library/ab',
        'library/a.b',
        'library/é',
      ];
      const repo = createRegistryRepo(db.kysely);
      const now = new Date().toISOString();
      for (const name of names) await repo.insertBlob(name, { digest: 'sha256:int8-0', size: 0, mediaType: null }, now);
      const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      const listed = (await repo.listRepositories(100, undefined)).filter((n) => n.startsWith('library/'));
      assert.deepEqual(listed, byBytes);
      // Catalog paging continues after `last` in the same order.
      const page = (await repo.listRepositories(3, 'library/a')).filter((n) => n.startsWith('library/'));
      assert.deepEqual(page, byBytes.slice(byBytes.indexOf('library/a') + 1, byBytes.indexOf('library/a') + 4));
    });

    test("Harbor's fuzzy match ignores the case of ASCII letters only, and takes % and _ literally", async () => {
      const now = new Date().toISOString();
      const names = ['Team-Alpha', 'team_beta', 'teamX', 'TÉAM', 'téam', 'a%b'];
      await db.kysely
        .insertInto('projects')
        .values(
          names.map((name) => ({ name, owner_id: null, registry_id: null, creation_time: now, update_time: now })),
        )
        .execute();
      const search = async (value: string) =>
        (
          await db.kysely
            .selectFrom('projects')
            .select('name')
            .where(containsIgnoringCase(sql.ref('name'), value))
            .orderBy('name')
            .execute()
        ).map((r) => r.name);
      assert.deepEqual(await search('TEAM'), ['Team-Alpha', 'teamX', 'team_beta']);
      assert.deepEqual(await search('m_b'), ['team_beta']);
      assert.deepEqual(await search('%'), ['a%b']);
      assert.deepEqual(await search('té'), ['téam'], 'É and é differ: only ASCII letters fold');
    });
  });
}
