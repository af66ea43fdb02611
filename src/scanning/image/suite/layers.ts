import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type { Analyzer, ImageFile, ImageSource } from '../../model.js';

// Test support for the layer walker: real tar layers built with tar-stream, compressed with
// zlib or the zstd command, served by an in-memory ImageSource in small chunks (as a blob
// store streams them).

export interface TarEntry {
  name: string;
  content?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  linkname?: string;
}

export async function tarLayer(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => pack.on('end', resolve).on('error', reject));
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const content = type === 'file' ? Buffer.from(entry.content ?? '') : undefined;
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { name: entry.name, type, linkname: entry.linkname, mode: type === 'directory' ? 0o755 : 0o644 },
        content,
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export const gzip = (bytes: Buffer): Buffer => gzipSync(bytes, { level: 1 });

/** Compresses with the zstd command (Debian package zstd). */
export function zstd(bytes: Buffer): Buffer {
  const result = spawnSync('zstd', ['-q', '-c', '-3'], { input: bytes, maxBuffer: 1024 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`zstd failed: ${result.stderr.toString()}`);
  return result.stdout;
}

export const mediaTypes = {
  tar: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  docker: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  generic: 'application/octet-stream',
} as const;

export interface MemoryLayer {
  mediaType: string;
  blob: Buffer;
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** An image held in memory, streamed in 16 KiB chunks; `opened` counts each layer's opens. */
export function memorySource(layers: MemoryLayer[]): ImageSource & { opened: Map<string, number> } {
  const blobs = new Map(layers.map((layer) => [digestOf(layer.blob), layer.blob]));
  const opened = new Map<string, number>();
  return {
    layers: layers.map((layer) => ({
      digest: digestOf(layer.blob),
      mediaType: layer.mediaType,
      size: layer.blob.length,
    })),
    opened,
    async open(digest) {
      const blob = blobs.get(digest);
      if (!blob) throw new Error(`no blob ${digest}`);
      opened.set(digest, (opened.get(digest) ?? 0) + 1);
      return Readable.from(chunked(blob), { objectMode: false });
    },
  };
}

function* chunked(blob: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < blob.length; offset += 16 * 1024) yield blob.subarray(offset, offset + 16 * 1024);
}

/** An analyzer that wants the given paths and reports nothing (the walker's tests look at its files). */
export function pathAnalyzer(paths: string[], options: Partial<Analyzer> = {}): Analyzer {
  const wanted = new Set(paths);
  return {
    name: 'paths',
    wants: (path) => wanted.has(path),
    maxFileSize: 1024 * 1024,
    analyze: () => ({ packages: [] }),
    ...options,
  };
}

/** The files an analyzer got, by path, as text. */
export function texts(files: ImageFile[] | undefined): Record<string, string> {
  return Object.fromEntries((files ?? []).map((file) => [file.path, file.content.toString('utf8')]));
}
