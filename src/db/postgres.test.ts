import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DatabaseUrlError, openDatabase } from './index.js';
import { BerthError } from '../shared/errors.js';
import { parsePostgresUrl } from './postgres-url.js';
import { startBerth } from '../main.js';
import { loadConfig } from '../config/index.js';
import { testAdminPassword } from '../../test/helpers/berth.js';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  postgresUrl,
  withAdminConnection,
} from '../../test/helpers/database.js';

// PostgreSQL's own settings: the URL and sslmode, connection failures, the bounded pool.

describe('database.url for PostgreSQL', () => {
  test('user, password (percent-encoded), host, default port and database', () => {
    const c = parsePostgresUrl('postgresql://berth:p%40ss%2Fword@db.example.com/registry');
    assert.deepEqual(
      [c.user, c.password, c.host, c.port, c.database, c.ssl, c.sslMode],
      ['berth', 'p@ss/word', 'db.example.com', 5432, 'registry', false, 'disable'],
    );
    assert.equal(parsePostgresUrl('postgres://u@[::1]:6432/d').host, '::1');
    assert.equal(parsePostgresUrl('postgres://u@localhost/d?host=/var/run/postgresql').host, '/var/run/postgresql');
  });

  test("sslmode keeps libpq's meaning: require encrypts, verify-ca checks the chain, verify-full also the host", () => {
    const ca = join(tmpdir(), `berth-ca-${process.pid}.pem`);
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const tls = (mode: string) => {
      const { ssl } = parsePostgresUrl(`postgres://u@h/d?sslmode=${mode}&sslrootcert=${ca}`);
      assert.ok(ssl && typeof ssl === 'object');
      return ssl;
    };
    assert.equal(tls('require').rejectUnauthorized, false);
    assert.equal(tls('verify-ca').rejectUnauthorized, true);
    assert.equal(
      tls('verify-ca').checkServerIdentity?.('h', {} as never),
      undefined,
      'verify-ca ignores the host name',
    );
    assert.equal(tls('verify-full').rejectUnauthorized, true);
    assert.equal(tls('verify-full').checkServerIdentity, undefined, "verify-full keeps Node's host name check");
    assert.match(String(tls('verify-full').ca), /BEGIN CERTIFICATE/);
  });

  for (const [url, why] of [
    [
      'postgres://u:topsecret@h/d?sslmode=prefer',
      /sslmode "prefer" is not one of disable, require, verify-ca, verify-full/,
    ],
    ['postgres://u:topsecret@h/d?pool_size=5', /unsupported parameter "pool_size"/],
    ['postgres://u:topsecret@h/', /no database name/],
    [
      'postgres://u:topsecret@h/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem',
      /cannot read sslrootcert \/nonexistent\/ca.pem: ENOENT/,
    ],
  ] as const) {
    test(`a bad URL (${why.source.slice(0, 40)}…) is refused naming database.url, password hidden`, () => {
      assert.throws(
        () => parsePostgresUrl(url),
        (err: unknown) =>
          err instanceof DatabaseUrlError &&
          err.message.startsWith('database.url: ') &&
          why.test(err.message) &&
          !err.message.includes('topsecret') &&
          err.message.includes('u:***@'),
      );
    });
  }
});

describe('PostgreSQL connections', () => {
  let name: string;
  before(async () => {
    name = await createPostgresDatabase();
  });
  after(async () => {
    await dropPostgresDatabase(name);
  });

  async function startFailure(url: string): Promise<string> {
    const db = openDatabase(url, { connectTimeoutSeconds: 2 });
    try {
      await db.migrate();
      return 'started';
    } catch (err) {
      assert.ok(err instanceof DatabaseUrlError, `a DatabaseUrlError: ${String(err)}`);
      return err.message;
    } finally {
      await db.close();
    }
  }

  test('no server, a missing database, or sslmode=require against a server without TLS: one line naming database.url', async () => {
    const base = new URL(postgresUrl(name));
    base.password = 'topsecret';
    const noServer = await startFailure(`postgres://root:topsecret@127.0.0.1:1/${name}`);
    assert.match(
      noServer,
      /^database\.url: cannot connect to "postgres:\/\/root:\*\*\*@127\.0\.0\.1:1\/berth_t_\w+": .*ECONNREFUSED/,
    );
    const missing = new URL(base);
    missing.pathname = '/berth_t_does_not_exist';
    assert.match(
      await startFailure(missing.toString()),
      /^database\.url: cannot connect to .*\*\*\*@.*berth_t_does_not_exist.*does not exist/,
    );
    const ssl = (await withAdminConnection((c) => c.query<{ ssl: string }>('SHOW ssl'))).rows[0]?.ssl;
    base.searchParams.set('sslmode', 'require');
    const required = await startFailure(base.toString());
    if (ssl === 'off') assert.match(required, /^database\.url: cannot connect to .*does not support SSL/);
    else assert.equal(required, 'started');
  });

  test('the pool never opens more than maxOpenConns; waiters run as connections free up', async () => {
    const db = openDatabase(postgresUrl(name), { maxOpenConns: 2, maxIdleConns: 1 });
    try {
      const started = Date.now();
      const backends = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const { rows } = await sql<{
            n: number;
          }>`SELECT pg_sleep(0.3), (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'berth') AS n`.execute(
            db.kysely,
          );
          return rows[0]?.n ?? 0;
        }),
      );
      assert.ok(Math.max(...backends) <= 2, `at most 2 server connections: ${backends.join(',')}`);
      assert.ok(Date.now() - started >= 850, 'six 0.3 s queries on two connections take three rounds');
      const stats = db.poolStats();
      assert.equal(stats.max, 2);
      assert.ok(
        stats.total <= 1 && stats.idle <= 1,
        `maxIdleConns closes the rest once released: ${JSON.stringify(stats)}`,
      );
    } finally {
      await db.close();
    }
  });

  test('a query that finds every connection busy for connectTimeoutSeconds fails instead of hanging', async () => {
    const db = openDatabase(postgresUrl(name), { maxOpenConns: 1, connectTimeoutSeconds: 1 });
    try {
      const busy = sql`SELECT pg_sleep(2.5)`.execute(db.kysely);
      const started = Date.now();
      await assert.rejects(sql`SELECT 1`.execute(db.kysely), (err: unknown) => {
        // A 503 with Retry-After naming the setting, not a 500.
        assert.ok(err instanceof BerthError, String(err));
        assert.equal(err.status, 503);
        assert.equal(err.headers['Retry-After'], '5');
        assert.match(err.message, /all 1 database connections stayed busy for 1 s \(database\.maxOpenConns\)/);
        return true;
      });
      const waited = Date.now() - started;
      assert.ok(waited >= 900 && waited < 2400, `waited ${waited} ms`);
      await busy;
    } finally {
      await db.close();
    }
  });

  test('a request that waits connectTimeoutSeconds for a pooled connection gets 503 with Retry-After, not a 500', async () => {
    const fresh = await createPostgresDatabase();
    const dataDir = join(tmpdir(), `berth-pool-${process.pid}`);
    const berth = await startBerth(
      loadConfig({
        env: {},
        overrides: {
          logLevel: 'silent',
          adminPassword: testAdminPassword,
          dataDir,
          database: { url: postgresUrl(fresh), maxOpenConns: 1, connectTimeoutSeconds: 1 },
          http: { port: 0, host: '127.0.0.1' },
        },
      }),
    );
    const locker = openDatabase(postgresUrl(fresh));
    try {
      const url = await berth.listen();
      // Another session locks projects: the first request holds Berth's only connection while it waits.
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      let onLocked = () => {};
      const locked = new Promise<void>((resolve) => (onLocked = resolve));
      const holding = locker.kysely.transaction().execute(async (trx) => {
        await sql`LOCK TABLE projects IN ACCESS EXCLUSIVE MODE`.execute(trx);
        onLocked();
        await released;
      });
      await locked;
      const first = fetch(`${url}/api/v2.0/projects`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = await fetch(`${url}/api/v2.0/projects`);
      assert.equal(second.status, 503);
      assert.equal(second.headers.get('retry-after'), '5');
      const body = (await second.json()) as { errors: { code: string; message: string }[] };
      assert.match(body.errors[0].message, /database\.maxOpenConns/);
      release();
      await holding;
      assert.equal((await first).status, 200, 'the request that held the connection finishes once the lock goes');
    } finally {
      await locker.close();
      await berth.close();
      await dropPostgresDatabase(fresh);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a NUL character in a parameter is a client error (400), not a server error', async () => {
    const db = openDatabase(postgresUrl(name));
    try {
      await db.migrate();
      await assert.rejects(
        db.kysely.selectFrom('users').select('id').where('username', '=', 'ad\0min').execute(),
        (err: unknown) => (err as { status?: number }).status === 400,
      );
    } finally {
      await db.close();
    }
  });

  test('two replicas starting at once on a new database: one admin, one library, one signing key', async () => {
    const fresh = await createPostgresDatabase();
    const replica = (dir: string) =>
      startBerth(
        loadConfig({
          env: {},
          overrides: {
            logLevel: 'silent',
            adminPassword: testAdminPassword,
            dataDir: join(tmpdir(), dir),
            database: { url: postgresUrl(fresh), maxOpenConns: 3 },
            http: { port: 0, host: '127.0.0.1' },
          },
        }),
      );
    const replicas = await Promise.all([replica(`berth-a-${process.pid}`), replica(`berth-b-${process.pid}`)]);
    try {
      const [a, b] = await Promise.all(replicas.map((r) => r.listen()));
      const check = openDatabase(postgresUrl(fresh));
      try {
        const admins = await check.kysely.selectFrom('users').select('id').where('username', '=', 'admin').execute();
        const libraries = await check.kysely
          .selectFrom('projects')
          .select('id')
          .where('name', '=', 'library')
          .execute();
        assert.equal(admins.length, 1);
        assert.equal(libraries.length, 1);
      } finally {
        await check.close();
      }
      // A token issued by one replica is accepted by the other: both use the key in the database.
      const basic = `Basic ${Buffer.from(`admin:${testAdminPassword}`).toString('base64')}`;
      const issued = await fetch(`${a}/service/token?service=harbor-registry&scope=repository:library/x:pull`, {
        headers: { authorization: basic },
      });
      const { token } = (await issued.json()) as { token: string };
      const res = await fetch(`${b}/v2/`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await dropPostgresDatabase(fresh);
      for (const dir of ['a', 'b'])
        rmSync(join(tmpdir(), `berth-${dir}-${process.pid}`), { recursive: true, force: true });
    }
  });
});
