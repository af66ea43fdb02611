import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from './schema.js';

export interface OpenedSqlite {
  kysely: Kysely<Database>;
  /** Stops the checkpointer; then destroying `kysely` closes the last connection (which checkpoints). */
  stop(): Promise<void>;
  /** Whether the checkpointer's worker is running now. */
  checkpointerRunning(): boolean;
}

/** How often the checkpointer looks for new commits. */
const checkpointIntervalMs = 100;
/** The checkpointer leaves after this long without a commit (a worker costs some 15 MiB). */
const checkpointerIdleMs = 10_000;
/** How often this thread looks whether it wrote since the checkpointer left. */
const writeCheckMs = 1_000;
/** The WAL file is cut back to this size once a checkpoint has emptied it. */
const walSizeLimit = 32 * 1024 * 1024;

/** How the checkpointer paces itself (tests shorten it). */
export interface CheckpointTiming {
  idleMs: number;
  writeCheckMs: number;
}

export function openSqlite(
  path: string,
  timing: CheckpointTiming = { idleMs: checkpointerIdleMs, writeCheckMs },
): OpenedSqlite {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const sqlite = connect(path);
  sqlite.pragma(`journal_size_limit = ${String(walSizeLimit)}`);
  // better-sqlite3 runs statements on the JavaScript thread, and the commit that fills the WAL
  // past 1,000 pages would copy them into the database file and fsync it (tens of ms) while
  // every request waits. A second connection in a worker thread checkpoints instead: in WAL
  // mode it runs beside this connection's reads and writes, never blocking them.
  const checkpointer = inMemory ? undefined : createCheckpointer(path, timing);
  if (checkpointer) sqlite.pragma('wal_autocheckpoint = 0');
  const database = withStatementCache(sqlite, 500, checkpointer ? () => checkpointer.wrote() : undefined);
  return {
    kysely: sqliteKysely(database),
    stop: async () => checkpointer?.stop(),
    checkpointerRunning: () => checkpointer?.running() ?? false,
  };
}

/**
 * Another connection to the database file, for work that runs in a worker thread beside the
 * server's connection (garbage collection): its statements then never hold the server's thread.
 */
export function openSqliteConnection(path: string): Kysely<Database> {
  const sqlite = connect(path, { fileMustExist: true });
  return sqliteKysely(withStatementCache(sqlite, 100));
}

function connect(path: string, options: SQLite.Options = {}): SQLite.Database {
  const sqlite = new SQLite(path, options);
  sqlite.pragma('journal_mode = WAL');
  // WAL + NORMAL: a committed transaction survives a process crash; only a power loss may drop the last ones.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

/**
 * Transactions begin IMMEDIATE: they take the write lock first, waiting for it as long as
 * busy_timeout allows. A deferred transaction that read before it wrote would fail at once
 * (SQLITE_BUSY, no waiting) when another connection committed in between, and the database
 * may have two writing connections (the server's and a collection's).
 */
function sqliteKysely(database: SqliteDatabase): Kysely<Database> {
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
}

class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

// CommonJS run with `eval`, so it loads the same way from src/ (tests) and dist/.
const checkpointerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.path, { fileMustExist: true });
let seen;
let quietSince = Date.now();
const timer = setInterval(() => {
  try {
    // data_version changes when another connection commits: an idle database costs one read.
    const version = db.pragma('data_version', { simple: true });
    if (version === seen) {
      if (Date.now() - quietSince > workerData.idleMs) leave();
      return;
    }
    seen = version;
    quietSince = Date.now();
    // PASSIVE: copies what it can without waiting for readers or writers.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage(String(err && err.message || err));
  }
}, workerData.intervalMs);
function leave() {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
}
parentPort.on('message', leave);
`;

/**
 * The checkpointer is started by a write and leaves after a quiet spell, so an idle Berth
 * holds no worker: this thread notes that it wrote (one assignment per write statement), and
 * a timer starts the worker when it is not running.
 */
function createCheckpointer(
  path: string,
  timing: CheckpointTiming,
): { wrote(): void; running(): boolean; stop(): Promise<void> } {
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  let dirty = false;
  let warned = false;
  let stopped = false;

  function start(): void {
    const started = new Worker(checkpointerSource, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        path,
        intervalMs: checkpointIntervalMs,
        idleMs: timing.idleMs,
      },
    });
    started.unref();
    // A failed checkpoint leaves the frames in the WAL for the next one; say so once, not every tick.
    started.on('message', (message: string) => {
      if (!warned) process.emitWarning(`SQLite checkpoint failed (will retry): ${message}`);
      warned = true;
    });
    started.once('error', (err) => process.emitWarning(`SQLite checkpointer stopped: ${err.message}`));
    exited = new Promise<void>((resolve) =>
      started.once('exit', () => {
        if (worker === started) worker = undefined;
        resolve();
      }),
    );
    worker = started;
  }

  const timer = setInterval(() => {
    if (!dirty || worker || stopped) return;
    dirty = false;
    start();
  }, timing.writeCheckMs);
  timer.unref();

  return {
    wrote() {
      dirty = true;
    },
    running: () => worker !== undefined,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (!worker) return exited;
      worker.ref(); // the process waits for the worker to close its connection
      worker.postMessage('stop');
      return exited;
    },
  };
}

/**
 * kysely prepares every statement anew on every query; preparing costs as much as
 * running a hot-path lookup. Statements are reusable, and kysely runs one query at a
 * time per connection, so a statement is never busy when it is handed out again.
 */
export function withStatementCache(sqlite: SQLite.Database, max = 500, onWrite?: () => void): SqliteDatabase {
  const statements = new LRUCache<string, SqliteStatement>({ max });
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      if (onWrite && !statement.reader) onWrite();
      return statement;
    },
  };
}
