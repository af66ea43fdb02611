import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { existsSync, constants as fsConstants } from 'node:fs';
import { join, relative } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import { configFromFlags, withConfigOptions, type ConfigFlags } from '../options.js';
import { formatBytes, progressBar } from '../progress.js';

// `berth backup <dir>`: an online, consistent copy of the embedded default (SQLite + filesystem
// storage). The database is snapshotted first, then the blob files are copied: blobs are
// immutable and land in the store before any row names them, so every blob the snapshot
// references is already there; blobs pushed after the snapshot are harmless extras.

export class BackupRefusedError extends Error {
  override name = 'BackupRefusedError';
}

export function backupCommand(program: Command): void {
  withConfigOptions(
    program
      .command('backup')
      .argument('<dir>', 'an empty or new directory that receives berth.db and storage/')
      .description('copy the SQLite database and the blob store while Berth runs (the embedded default)'),
  ).action(async (dir: string, flags: ConfigFlags) => {
    const config = configFromFlags(flags);
    const summary = await backup(config, dir);
    process.stderr.write(
      `berth: backup in ${dir}: berth.db (${formatBytes(summary.databaseBytes)}) and ${summary.blobs} blob files ` +
        `(${formatBytes(summary.blobBytes)}) in ${(summary.ms / 1000).toFixed(1)} s; restore: docs/operations.md, "Backup and restore"\n`,
    );
  });
}

export interface BackupSummary {
  databaseBytes: number;
  blobs: number;
  blobBytes: number;
  ms: number;
}

export async function backup(config: Config, dir: string): Promise<BackupSummary> {
  const started = Date.now();
  if (!config.database.url.startsWith('sqlite://') || config.storage.type !== 'filesystem')
    throw new BackupRefusedError(
      'berth backup copies the embedded default only (SQLite and filesystem storage); for PostgreSQL, S3 or NAS ' +
        'follow docs/operations.md, "Backup and restore" (pg_dump, then copy the blob store)',
    );
  const target = join(dir, 'berth.db');
  if (existsSync(target)) throw new BackupRefusedError(`${target} exists: back up into an empty or new directory`);
  await mkdir(dir, { recursive: true });
  const databaseBytes = await snapshotDatabase(config.database.url.slice('sqlite://'.length), target);
  const { files, bytes } = await copyBlobs(config.storage.filesystem.rootdirectory, join(dir, 'storage'));
  return { databaseBytes, blobs: files, blobBytes: bytes, ms: Date.now() - started };
}

/** SQLite's online backup API: one consistent snapshot while the server keeps writing (WAL). */
async function snapshotDatabase(source: string, target: string): Promise<number> {
  if (!existsSync(source)) throw new BackupRefusedError(`database.url: ${source} does not exist`);
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const bar = progressBar('database', 1, (n) => `${n}`);
    // After the first step, the rest in one step: a write by the server between steps would restart a paged copy.
    await db.backup(target, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
    bar.finish();
  } finally {
    db.close();
  }
  // Uploads in progress are not part of a backup (their scratch data is not copied): clients start them again.
  const copy = new SQLite(target, { fileMustExist: true });
  try {
    copy.prepare('DELETE FROM uploads').run();
    copy.pragma('journal_mode = WAL');
  } finally {
    copy.close();
  }
  return (await stat(target)).size;
}

interface BlobFile {
  path: string;
  size: number;
}

/** Copies every finished file of the blob store except scratch uploads and temporary names. */
async function copyBlobs(root: string, into: string): Promise<{ files: number; bytes: number }> {
  const files = existsSync(root) ? await listFiles(root, root) : [];
  const total = files.reduce((sum, file) => sum + file.size, 0);
  const bar = progressBar('blobs   ', total, formatBytes);
  let done = 0;
  for (const file of files) {
    await mkdir(join(into, file.path, '..'), { recursive: true });
    // A reflink where the file system offers one (copy-on-write), else a plain copy.
    await copyFile(join(root, file.path), join(into, file.path), fsConstants.COPYFILE_FICLONE).catch(
      (err: NodeJS.ErrnoException) => {
        // Deleted since the listing (garbage collection, which a backup should not overlap: see the doc).
        if (err.code !== 'ENOENT') throw err;
      },
    );
    done += file.size;
    bar.update(done);
  }
  bar.finish();
  return { files: files.length, bytes: total };
}

async function listFiles(root: string, dir: string): Promise<BlobFile[]> {
  const out: BlobFile[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const path = relative(root, full);
    if (entry.name.includes('~tmp-') || path === 'uploads') continue;
    if (entry.isDirectory()) out.push(...(await listFiles(root, full)));
    else if (entry.isFile()) out.push({ path, size: (await stat(full)).size });
  }
  return out;
}
