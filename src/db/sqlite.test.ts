import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqlite, openSqliteConnection } from './sqlite.js';

// The embedded database's commits never checkpoint on the JavaScript thread: a worker's
// connection copies the WAL into the database file beside them.

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

test('SQLite: commits leave checkpoints to the worker, which moves the WAL into the database file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
  const path = join(dir, 'berth.db');
  const { kysely, stop, checkpointerRunning } = openSqlite(path, { idleMs: 1_500, writeCheckMs: 100 });
  try {
    const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(kysely);
    assert.equal(rows[0]?.wal_autocheckpoint, 0, 'the main connection does not checkpoint on commit');

    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)`.execute(kysely);
    const before = statSync(path).size;
    // 8 MiB in 2,048 pages: far past the 1,000 pages at which a commit would checkpoint itself.
    await kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < 256; i++) await sql`INSERT INTO t (body) VALUES (randomblob(32768))`.execute(trx);
    });
    assert.ok(statSync(`${path}-wal`).size > 8 * 1024 * 1024, 'the commit wrote the WAL only');
    assert.ok(
      await until(() => statSync(path).size >= before + 8 * 1024 * 1024, 5_000),
      `the checkpointer copied the pages into the database file (size ${String(statSync(path).size)})`,
    );
    const { rows: count } = await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(kysely);
    assert.equal(count[0]?.n, 256);
    assert.ok(checkpointerRunning(), 'a write started the checkpointer');
    assert.ok(await until(() => !checkpointerRunning(), 5_000), 'it left after a quiet spell, holding no worker');
    await sql`INSERT INTO t (body) VALUES (randomblob(16))`.execute(kysely);
    assert.ok(await until(checkpointerRunning, 2_000), 'the next write started it again');
  } finally {
    await stop();
    await kysely.destroy();
  }
  assert.equal(existsSync(`${path}-wal`), false, 'closing the last connection removed the WAL');
  const reopened = openSqlite(path);
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(reopened.kysely);
  assert.equal(rows[0]?.n, 257, 'the rows are there after reopening');
  await reopened.stop();
  await reopened.kysely.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('SQLite: a transaction holds the write lock from its begin, so a commit on another connection cannot make it fail', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
  const path = join(dir, 'berth.db');
  const server = openSqlite(path);
  await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)`.execute(server.kysely);
  const other = openSqliteConnection(path);
  // A third connection that does not wait: it shows who holds the lock.
  const probe = new SQLite(path, { timeout: 0 });
  try {
    await server.kysely.transaction().execute(async (trx) => {
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(trx);
      // A deferred transaction would let this commit in, then fail at its own write
      // (SQLITE_BUSY_SNAPSHOT, without waiting): the other connection's write must wait instead.
      assert.throws(() => probe.prepare('INSERT INTO t (n) VALUES (1)').run(), /database is locked/);
      await sql`INSERT INTO t (n) VALUES (${rows[0]!.n + 100})`.execute(trx);
    });
    // The worker-side connection's transactions take the lock first too, and waits for it.
    await other.transaction().execute(async (trx) => {
      assert.throws(() => probe.prepare('INSERT INTO t (n) VALUES (2)').run(), /database is locked/);
      await sql`UPDATE t SET n = n + 1`.execute(trx);
    });
    probe.prepare('INSERT INTO t (n) VALUES (3)').run();
    const { rows } = await sql<{ n: number }>`SELECT n FROM t ORDER BY id`.execute(server.kysely);
    assert.deepEqual(
      rows.map((r) => r.n),
      [101, 3],
    );
  } finally {
    probe.close();
    await other.destroy();
    await server.stop();
    await server.kysely.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
