import { Readable, Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import type { ImageLayer } from '../model.js';

// A layer's blob turned into the bytes of its tar archive, decompressed as its media type says
// (image-spec layer.md, "Media Types"; Docker's rootfs.diff.tar.gzip), or, for a generic media
// type, as its first bytes say.

export type Compression = 'gzip' | 'zstd' | 'none';

const byMediaType: Record<string, Compression> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
  // Docker's own 'docker save' layers and old v1-era pushes.
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
};

/** The compression a media type declares, or undefined for a generic or unknown one (sniffed instead). */
export function compressionOf(mediaType: string): Compression | undefined {
  return byMediaType[mediaType];
}

// A tar header is 512 bytes with 'ustar' at offset 257 (POSIX ustar and GNU tar alike).
const sniffLength = 512;

/** What the first bytes say the blob is: a compressed stream, a tar archive, or neither. */
export function sniff(head: Buffer): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'none';
  return undefined;
}

/**
 * The tar bytes of a layer, or undefined when its media type is a generic one and its content
 * is neither compressed nor a tar archive (not a filesystem layer: an attestation, a signature).
 */
export async function openLayerTar(
  blob: Readable,
  layer: ImageLayer,
): Promise<{ tar: Readable; compression: Compression } | undefined> {
  let compression = compressionOf(layer.mediaType);
  let input = blob;
  if (!compression) {
    const { head, rest } = await peek(blob, sniffLength);
    compression = sniff(head);
    if (!compression) {
      rest.destroy();
      return undefined;
    }
    input = rest;
  }
  return { tar: decompress(input, compression), compression };
}

function decompress(input: Readable, compression: Compression): Readable {
  if (compression === 'none') return input;
  // 64 KiB output chunks rather than zlib's 16 KiB: a third of the time on a 100 MiB layer.
  const output = compression === 'gzip' ? zlib.createGunzip({ chunkSize: 256 * 1024 }) : createZstdDecompress();
  // Errors of either side end up on the output, which the tar reader consumes.
  input.on('error', (err) => output.destroy(err));
  output.on('close', () => input.destroy());
  return input.pipe(output);
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: () => Transform };

/** Node's own zstd (Node 22.15+) when present, else fzstd (pure JavaScript, streaming). */
function createZstdDecompress(): Transform {
  const native = (zlib as ZlibWithZstd).createZstdDecompress;
  return native ? native() : new FzstdTransform();
}

class FzstdTransform extends Transform {
  private readonly decoder = new Decompress((data) => {
    // fzstd keeps its window in its own buffers: copy what it hands out before it moves on.
    if (data.length > 0) this.push(Buffer.from(data));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      callback();
    } catch (err) {
      callback(zstdError(err));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      callback();
    } catch (err) {
      callback(zstdError(err));
    }
  }
}

function zstdError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`zstd: ${message}`, { cause: err });
}

/** The first `length` bytes of a stream (fewer if it is shorter) and the whole stream to read on. */
async function peek(input: Readable, length: number): Promise<{ head: Buffer; rest: Readable }> {
  const chunks: Buffer[] = [];
  let read = 0;
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  while (read < length) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    read += next.value.length;
  }
  const head = Buffer.concat(chunks);
  return { head, rest: Readable.from(readOn(head, iterator), { objectMode: false }) };
}

async function* readOn(head: Buffer, iterator: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    if (head.length > 0) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  } finally {
    // Destroying the stream ends this generator; returning the iterator destroys the blob's stream.
    await iterator.return?.();
  }
}
