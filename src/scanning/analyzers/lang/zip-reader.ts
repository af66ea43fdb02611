import yauzl, { type Entry, type ZipFile } from 'yauzl';

// Reading chosen entries of a zip archive held in memory, bounded against zip bombs: the number
// of entries is capped before any is read, an entry is read only when its declared size is under
// the caller's cap, and yauzl checks that the inflated bytes match the declared size.

export class ZipLimitError extends Error {
  override name = 'ZipLimitError';
}

export interface ZipLimits {
  /** More entries than this and the archive is refused. */
  maxEntries: number;
}

/**
 * Calls `visit` with each entry in order; when it returns a size cap, the entry's bytes are read
 * (refused when larger than the cap) and passed to `consume` before the next entry is visited.
 */
export async function eachZipEntry(
  buffer: Buffer,
  limits: ZipLimits,
  visit: (entry: Entry) => number | undefined,
  consume: (entry: Entry, content: Buffer) => Promise<void> | void,
): Promise<void> {
  const zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, strictFileNames: false });
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ZipLimitError(`${zip.entryCount} entries, more than ${limits.maxEntries}`);
    }
    await walk(zip, visit, consume);
  } finally {
    zip.close();
  }
}

function walk(
  zip: ZipFile,
  visit: (entry: Entry) => number | undefined,
  consume: (entry: Entry, content: Buffer) => Promise<void> | void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: Entry) => {
      let cap: number | undefined;
      try {
        cap = entry.fileName.endsWith('/') ? undefined : visit(entry);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (cap === undefined) {
        zip.readEntry();
        return;
      }
      if (entry.uncompressedSize > cap) {
        reject(new ZipLimitError(`${entry.fileName} inflates to ${entry.uncompressedSize} bytes, more than ${cap}`));
        return;
      }
      readEntry(zip, entry)
        .then((content) => consume(entry, content))
        .then(() => zip.readEntry(), reject);
    });
    zip.readEntry();
  });
}

async function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
