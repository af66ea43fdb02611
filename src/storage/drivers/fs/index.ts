import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  checkPath,
  PathNotFoundError,
  type BlobStore,
  type BlobWriter,
  type ByteRange,
  type ObjectInfo,
} from '../../driver.js';

// Temporary files carry a character that valid paths cannot hold, so they never
// collide with an object and list() can hide them.
const tempMarker = '~tmp-';
const deleteConcurrency = 16;

/** The local-directory driver: a path is a file under `root`; durability by fsync + rename. */
export function createFilesystemStore(options: { root: string }): BlobStore {
  const root = resolve(options.root);
  const full = (path: string) => join(root, checkPath(path));

  /** Removes directories left empty under `dir`, up to the root, as object stores have no empty prefixes. */
  async function prune(dir: string): Promise<void> {
    for (let current = dir; current.startsWith(root + sep); current = dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
    }
  }

  async function statFile(path: string): Promise<ObjectInfo> {
    try {
      const info = await stat(full(path));
      if (!info.isFile()) throw new PathNotFoundError(path);
      return { size: info.size, modifiedAt: info.mtime };
    } catch (err) {
      throw notFound(err, path);
    }
  }

  async function openFile(path: string): Promise<FileHandle> {
    let handle: FileHandle;
    try {
      handle = await open(full(path), 'r');
    } catch (err) {
      throw notFound(err, path);
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new PathNotFoundError(path);
    }
    return handle;
  }

  return {
    name: 'filesystem',
    stat: statFile,

    async getContent(path) {
      try {
        return await readFile(full(path));
      } catch (err) {
        throw notFound(err, path);
      }
    },

    async putContent(path, content) {
      const target = full(path);
      const temp = `${target}${tempMarker}${randomUUID()}`;
      const handle = await inDirectory(dirname(target), () => open(temp, 'w'));
      try {
        try {
          await handle.writeFile(content);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      await syncDir(dirname(target));
    },

    async reader(path: string, range?: ByteRange): Promise<Readable> {
      // Open before returning: the stream then reads this file even if it is replaced or deleted meanwhile.
      const handle = await openFile(path);
      return handle.createReadStream({
        highWaterMark: 256 * 1024,
        ...(range ? { start: range.start, end: range.end } : {}),
      });
    },

    openFile,

    async writer(path, writerOptions = {}) {
      const target = full(path);
      const handle = await inDirectory(dirname(target), () => open(target, writerOptions.append ? 'a' : 'w'));
      const initial = writerOptions.append ? (await handle.stat()).size : 0;
      return fileWriter(handle, target, initial, () => prune(dirname(target)));
    },

    async move(from, to) {
      const source = full(from);
      const target = full(to);
      await statFile(from);
      try {
        await inDirectory(dirname(target), () => rename(source, target));
      } catch (err) {
        throw notFound(err, from);
      }
      await syncDir(dirname(target));
      await prune(dirname(source));
    },

    async delete(path) {
      const target = full(path);
      try {
        await stat(target);
      } catch (err) {
        throw notFound(err, path);
      }
      await rm(target, { recursive: true, force: true });
      await prune(dirname(target));
    },

    async deleteObjects(paths) {
      const dirs = new Set<string>();
      const targets = paths.map(full);
      // A few unlinks at a time: enough to keep the disk busy, few enough to leave it to pushes.
      // unlink, not rm: rm looks at the path first, a second system call for each object.
      for (let i = 0; i < targets.length; i += deleteConcurrency) {
        await Promise.all(
          targets.slice(i, i + deleteConcurrency).map(async (target) => {
            await unlink(target).catch((err: unknown) => {
              if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
            });
            dirs.add(dirname(target));
          }),
        );
      }
      // As many folders at once; two prunes meeting at a shared parent leave it to whichever empties it.
      const folders = [...dirs];
      for (let i = 0; i < folders.length; i += deleteConcurrency)
        await Promise.all(folders.slice(i, i + deleteConcurrency).map(prune));
    },

    async list(prefix) {
      const dir = prefix === '' ? root : full(prefix);
      try {
        const entries = await readdir(dir);
        return entries
          .filter((name) => !name.includes(tempMarker))
          .sort()
          .map((name) => (prefix === '' ? name : `${prefix}/${name}`));
      } catch (err) {
        if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
        throw err;
      }
    },
  };
}

function fileWriter(handle: FileHandle, target: string, initial: number, onCancel: () => Promise<void>): BlobWriter {
  let size = initial;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    get size() {
      return size;
    },
    async write(chunk) {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
      size += chunk.length;
    },
    async commit() {
      await handle.sync();
    },
    close,
    async cancel() {
      await close();
      await rm(target, { force: true });
      await onCancel();
    },
  };
}

/**
 * Runs `create` (which makes an entry in `dir`) after creating `dir`; retries when a
 * concurrent prune removed the directory in between.
 */
async function inDirectory<T>(dir: string, create: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      await mkdir(dir, { recursive: true });
      return await create();
    } catch (err) {
      if (!isErrno(err, 'ENOENT') || attempt >= 5) throw err;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

function notFound(err: unknown, path: string): unknown {
  return isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'EISDIR')
    ? new PathNotFoundError(path)
    : err;
}
