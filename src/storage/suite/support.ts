import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { InvalidPathError, PathNotFoundError, type BlobStore } from '../driver.js';

// What the BlobStore suite's cases share: the case runner's type, sizes, bad paths and assertions.

/** Runs one case on a fresh, empty store. */
export type It = (title: string, fn: (store: BlobStore) => Promise<void>) => void;

export const MiB = 1024 * 1024;
export const invalidPaths = [
  '',
  '/',
  '/abs',
  'a/',
  'a//b',
  '.',
  '..',
  'a/../b',
  '../a',
  'a/./b',
  'a b',
  'a\\b',
  'a\0b',
  'a/b?c',
  'ä',
];

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function assertNotFound(promise: Promise<unknown>, path: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof PathNotFoundError, `expected PathNotFoundError for ${path}, got ${String(err)}`);
    assert.equal(err.path, path);
    return true;
  });
}

export async function assertInvalidPath(promise: Promise<unknown>, label: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof InvalidPathError, `expected InvalidPathError for ${label}, got ${String(err)}`);
    return true;
  });
}
