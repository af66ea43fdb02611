import { Transform, pipeline, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { ImageLayer, ImageSource } from '../model.js';
import { openLayerTar } from './decompress.js';
import { ImageLayerError } from './errors.js';

// Reads one layer's tar archive entry by entry, straight from the blob (never to disk). The
// caller consumes or skips each entry's content before the next one is read.

export type EntryHandler = (header: tar.Headers, content: Readable) => Promise<void> | void;

export interface ReadLayerOptions {
  signal?: AbortSignal;
  /** Hears how many bytes of the blob (as stored, compressed) were read. */
  onBytes?: (bytes: number) => void;
}

/**
 * Calls `onEntry` for each entry of the layer's archive, in archive order. Resolves false when
 * the layer is not a tar archive at all (a generic media type whose bytes are neither compressed
 * nor tar); throws ImageLayerError when it is corrupt or cut short, the signal's reason on abort.
 */
export async function readLayer(
  source: ImageSource,
  layer: ImageLayer,
  onEntry: EntryHandler,
  options: ReadLayerOptions = {},
): Promise<boolean> {
  const { signal } = options;
  signal?.throwIfAborted();
  let blob: Readable | undefined;
  const abort = () => blob?.destroy(signal?.reason as Error);
  signal?.addEventListener('abort', abort, { once: true });
  try {
    blob = await source.open(layer.digest, signal);
    signal?.throwIfAborted();
    const opened = await openLayerTar(counted(blob, options.onBytes), layer);
    if (!opened) return false;
    await readEntries(opened.tar, onEntry, signal);
    return true;
  } catch (err) {
    blob?.destroy();
    if (signal?.aborted) throw signal.reason;
    if (err instanceof ImageLayerError) throw err;
    throw new ImageLayerError(layer.digest, err instanceof Error ? err.message : String(err), { cause: err });
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

async function readEntries(archive: Readable, onEntry: EntryHandler, signal?: AbortSignal): Promise<void> {
  const extract = tar.extract();
  // pipeline carries a decompression error (or an abort) to the extractor, whose iterator throws it.
  pipeline(archive, extract, () => {});
  for await (const entry of extract) {
    signal?.throwIfAborted();
    await onEntry(entry.header, entry);
  }
}

function counted(blob: Readable, onBytes?: (bytes: number) => void): Readable {
  if (!onBytes) return blob;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
  blob.on('error', (err) => counter.destroy(err));
  counter.on('close', () => blob.destroy());
  return blob.pipe(counter);
}

/** The whole content of an entry known to be `size` bytes, in one buffer (one copy, no growth). */
export async function readContent(content: Readable, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  for await (const chunk of content as AsyncIterable<Buffer>) {
    if (offset + chunk.length > size) throw new Error(`entry longer than its header's ${size} bytes`);
    chunk.copy(buffer, offset);
    offset += chunk.length;
  }
  if (offset !== size) throw new Error(`entry shorter than its header's ${size} bytes`);
  return buffer;
}
