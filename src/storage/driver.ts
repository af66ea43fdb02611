import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

// The BlobStore contract, modelled on distribution's storagedriver: a small,
// stream-based key/value store of byte objects addressed by slash-separated paths.
// Every driver passes the shared suite in storage/suite.ts.

export interface ObjectInfo {
  size: number;
  modifiedAt: Date;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface BlobWriter {
  /** Bytes in the object so far, including what was there before an append. */
  readonly size: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Makes everything written durable (fsync, or the multipart upload's parts). */
  commit(): Promise<void>;
  /** Releases resources without deleting what was committed. */
  close(): Promise<void>;
  /** Abandons the object: releases resources and deletes it. */
  cancel(): Promise<void>;
}

export interface BlobStore {
  /** A short name for logs and health checks: "filesystem", "s3". */
  readonly name: string;
  /** Size and modification time of the object; PathNotFoundError when absent. */
  stat(path: string): Promise<ObjectInfo>;
  /** The whole object; PathNotFoundError when absent. For small objects only. */
  getContent(path: string): Promise<Buffer>;
  /** Writes the whole object atomically: readers see the old bytes or the new, never a mix. */
  putContent(path: string, content: Uint8Array): Promise<void>;
  /** A stream of the object, or of one inclusive byte range of it; PathNotFoundError when absent. */
  reader(path: string, range?: ByteRange): Promise<Readable>;
  /**
   * The object's local file opened for reading, for stores that keep objects as files;
   * a pull then copies through reused buffers (a Readable allocates one per chunk,
   * which costs a 256 MiB pull dozens of full GCs). PathNotFoundError when absent.
   */
  openFile?(path: string): Promise<FileHandle>;
  /** A writer that creates (or truncates) the object, or appends to it when `append` is set (creating it when absent). */
  writer(path: string, options?: { append?: boolean }): Promise<BlobWriter>;
  /** Moves an object atomically, replacing any object at `to`; PathNotFoundError when `from` is absent. */
  move(from: string, to: string): Promise<void>;
  /** Deletes an object or everything under a prefix; PathNotFoundError when nothing is there. */
  delete(path: string): Promise<void>;
  /**
   * Deletes the objects at `paths` (objects, not prefixes); absent ones are skipped. For
   * garbage collection: S3 sends them 1000 per request, a directory removes the folders left empty.
   */
  deleteObjects(paths: string[]): Promise<void>;
  /** The direct children of a prefix (full paths): objects and prefixes holding at least one object, sorted; empty when absent. */
  list(prefix: string): Promise<string[]>;
  /** A URL the client may fetch the object from directly (S3 presigning), or undefined. */
  redirectURL?(path: string): Promise<string | undefined>;
  /** Releases connections and handles. */
  close?(): Promise<void>;
}

export class PathNotFoundError extends Error {
  override name = 'PathNotFoundError';
  readonly path: string;
  constructor(path: string) {
    super(`path not found: ${path}`);
    this.path = path;
  }
}

export class InvalidPathError extends Error {
  override name = 'InvalidPathError';
  constructor(path: string) {
    super(`invalid storage path: ${JSON.stringify(path)}`);
  }
}

const pathGrammar = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Paths are relative, slash-separated and free of "." and ".." segments. */
export function checkPath(path: string): string {
  if (!pathGrammar.test(path) || path.split('/').some((part) => part === '.' || part === '..')) {
    throw new InvalidPathError(path);
  }
  return path;
}
