import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { BerthError } from '../../shared/errors.js';

// Where advisories are imported from: osv.dev's per-ecosystem all.zip (one JSON file per
// advisory), a directory of *.json files (searched recursively), or one .json file. A zip is
// read entry by entry from the file, never whole into memory; each entry is bounded in size
// (yauzl also checks an entry's real size against the size its header declares: zip bombs).

/** One entry: an advisory's JSON text, why it cannot be read, or neither (not a .json file: ignored). */
export interface SourceEntry {
  name: string;
  text?: string;
  problem?: string;
}

export interface AdvisorySource {
  /** Entries the source holds (the progress bar's total); some may not be advisories. */
  total: number;
  entries(): AsyncGenerator<SourceEntry>;
  close(): Promise<void>;
}

export const defaultMaxEntryBytes = 16 * 1024 * 1024;

const isJson = (name: string) => name.toLowerCase().endsWith('.json');
const tooLarge = (limit: number) => `larger than the ${String(limit / 1024 / 1024)} MiB limit for an advisory`;

/** Opens a zip, a directory or a .json file; a typed BAD_REQUEST error when it is none of them. */
export async function openAdvisorySource(path: string, maxEntryBytes = defaultMaxEntryBytes): Promise<AdvisorySource> {
  const info = await stat(path).catch((err: unknown) => {
    throw new BerthError('BAD_REQUEST', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  });
  if (info.isDirectory()) return directorySource(path, maxEntryBytes);
  if (!info.isFile()) throw new BerthError('BAD_REQUEST', `${path} is neither a file nor a directory`);
  if (isJson(path)) return filesSource(path, [path], maxEntryBytes);
  return zipSource(path, maxEntryBytes);
}

async function jsonFilesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  // Symbolic links are not followed: a link to a parent would loop.
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await jsonFilesUnder(path)));
    else if (entry.isFile() && isJson(entry.name)) found.push(path);
  }
  return found;
}

async function directorySource(dir: string, maxEntryBytes: number): Promise<AdvisorySource> {
  const files = (await jsonFilesUnder(dir)).sort();
  return filesSource(dir, files, maxEntryBytes);
}

function filesSource(root: string, files: string[], maxEntryBytes: number): AdvisorySource {
  return {
    total: files.length,
    async *entries() {
      for (const file of files) {
        const name = files.length === 1 && file === root ? basename(file) : relative(root, file);
        const { size } = await stat(file);
        if (size > maxEntryBytes) yield { name, problem: tooLarge(maxEntryBytes) };
        else yield { name, text: await readFile(file, 'utf8') };
      }
    },
    close: async () => {},
  };
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) =>
      err
        ? reject(new BerthError('BAD_REQUEST', `${path} is not a readable zip: ${err.message}`, { cause: err }))
        : resolve(zip),
    ),
  );
}

/** The next entry of a lazily read zip; undefined at its end. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry) => (cleanup(), resolve(entry));
    const onEnd = () => (cleanup(), resolve(undefined));
    const onError = (err: Error) => (cleanup(), reject(err));
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))),
  );
}

/** Reads a stream whole, up to `limit` bytes; undefined (and the stream destroyed) beyond it. */
async function readBounded(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function zipSource(path: string, maxEntryBytes: number): Promise<AdvisorySource> {
  const zip = await openZip(path);
  const corrupt = (err: unknown) =>
    new BerthError('BAD_REQUEST', `${path}: corrupt zip: ${(err as Error).message}`, { cause: err });
  return {
    total: zip.entryCount,
    async *entries() {
      for (;;) {
        const entry = await nextEntry(zip).catch((err: unknown) => {
          throw corrupt(err);
        });
        if (!entry) return;
        const name = entry.fileName;
        if (name.endsWith('/') || !isJson(name)) {
          yield { name };
          continue;
        }
        if (entry.uncompressedSize > maxEntryBytes) {
          yield { name, problem: tooLarge(maxEntryBytes) };
          continue;
        }
        const content = await openEntry(zip, entry)
          .then((stream) => readBounded(stream, maxEntryBytes))
          .catch((err: unknown) => {
            throw corrupt(err);
          });
        yield content ? { name, text: content.toString('utf8') } : { name, problem: tooLarge(maxEntryBytes) };
      }
    },
    close: async () => zip.close(),
  };
}
