import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/index.js';

// One data directory, one server (docs/operations.md): the embedded default keeps state in
// the data directory and in-process caches and locks, so a second server on it would serve
// stale data. Node has no flock(2): the lock is a file created with O_EXCL holding the owner's
// pid, host and a token, whose modification time the owner refreshes as a heartbeat.

export const lockFileName = 'berth.lock';
const heartbeatMs = 10_000;
/** A lock not refreshed for this long is stale, whatever host or pid namespace wrote it. */
const staleAfterMs = 3 * heartbeatMs;

interface LockOwner {
  pid: number;
  hostname: string;
  token: string;
  since: string;
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Replicas share PostgreSQL and Redis, and nothing in the data directory: only then may several servers run. */
export function needsDataDirLock(config: Config): boolean {
  return !config.redis.url || config.database.url.startsWith('sqlite://');
}

/** Takes the data directory's lock or throws DataDirLockedError naming the holder. */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, lockFileName);
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    token: randomUUID(),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, owner)) break;
    const holder = readOwner(path);
    if (holder === 'gone') continue;
    if (attempt === 0 && isStale(path, holder)) {
      removeIfSame(path, holder);
      continue;
    }
    throw new DataDirLockedError(
      `dataDir ${dataDir} is in use by another Berth server (${describe(holder)}); one data directory serves one server` +
        ` (docs/operations.md, "One data directory, one server")`,
    );
  }
  const heartbeat = setInterval(() => touch(path), heartbeatMs);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    removeIfSame(path, owner);
  };
  // A start that fails after the lock (port taken) exits through process.exit: the lock goes with it.
  process.once('exit', release);
  return { path, release };
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The recorded owner; undefined when the file is unreadable (a crash mid-write), 'gone' when it vanished. */
function readOwner(path: string): LockOwner | undefined | 'gone' {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' && typeof parsed.hostname === 'string' && typeof parsed.token === 'string'
      ? (parsed as LockOwner)
      : undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
}

function isStale(path: string, holder: LockOwner | undefined): boolean {
  const age = Date.now() - modifiedAt(path);
  if (age > staleAfterMs) return true;
  if (!holder || holder.hostname !== hostname()) return false;
  // Our own pid in the file: a previous run in the same pid namespace (a restarted container is pid 1 again).
  return holder.pid === process.pid || !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function modifiedAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // The file was removed under us; the next start will take a fresh lock.
  }
}

/** Removes the lock file only if it still names `expected` (another server may have taken it since). */
function removeIfSame(path: string, expected: LockOwner | undefined): void {
  const current = readOwner(path);
  if (current === 'gone') return;
  if (expected !== undefined && (current === undefined || current.token !== expected.token)) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function describe(holder: LockOwner | undefined): string {
  if (!holder) return `see ${lockFileName}`;
  return `pid ${holder.pid} on ${holder.hostname}, since ${holder.since}`;
}
