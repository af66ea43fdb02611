import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { ByteRange } from '../storage/index.js';

// A blob pull from a local file: two buffers, reused in turn, one being read while the
// other is written. A file stream allocates a fresh buffer per chunk instead; once V8
// has shrunk an idle Berth's heap limits, that garbage forces a full GC every few MiB
// (563-710 ms of CPU per 256 MiB pull against 123-127 ms with this loop; docs/performance.md).

const bufferBytes = 1024 * 1024;

export class DestinationClosedError extends Error {
  override name = 'DestinationClosedError';
}

/**
 * Writes the file's bytes (all, or the inclusive range) to `destination`, ends it, and
 * closes the file. Each buffer is refilled only after its previous write's callback, so the bytes a
 * socket still holds are never overwritten; the read of one chunk overlaps the write of
 * the last. Rejects with DestinationClosedError when the destination closes first.
 */
export async function copyFile(
  file: FileHandle,
  size: number,
  range: ByteRange | undefined,
  destination: Writable,
): Promise<void> {
  let position = range?.start ?? 0;
  const end = range ? range.end + 1 : size;
  const bytes = Math.min(bufferBytes, end - position);
  const buffers = [Buffer.allocUnsafeSlow(bytes), Buffer.allocUnsafeSlow(bytes)];
  const closed = closedPromise(destination);
  let previousWrite: Promise<void> = Promise.resolve();
  try {
    for (let turn = 0; position < end; turn++) {
      const buffer = buffers[turn % 2]!;
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) throw new Error(`the file ended at byte ${position} of ${end}`);
      position += bytesRead;
      await Promise.race([previousWrite, closed.promise]);
      previousWrite = write(
        destination,
        bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead),
        position === end,
      );
    }
    if (end === (range?.start ?? 0)) previousWrite = write(destination, Buffer.alloc(0), true);
    await Promise.race([previousWrite, closed.promise]);
  } finally {
    closed.dispose();
    await file.close();
  }
}

/**
 * The last chunk ends the destination with it, so the response is complete when the client
 * has its last byte. The promise is also handled here: after a close wins the race, its
 * late error has no reader.
 */
function write(destination: Writable, chunk: Buffer, last: boolean): Promise<void> {
  const written = new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (last) destination.end(chunk, done);
    else destination.write(chunk, done);
  });
  written.catch(() => {});
  return written;
}

/** Rejects when `destination` closes (a client that went away); dispose() stops listening. */
function closedPromise(destination: Writable): { promise: Promise<never>; dispose(): void } {
  let onClose = () => {};
  const promise = new Promise<never>((_, reject) => {
    onClose = () => reject(new DestinationClosedError('the client closed the connection'));
    destination.once('close', onClose);
  });
  promise.catch(() => {});
  return { promise, dispose: () => destination.off('close', onClose) };
}
