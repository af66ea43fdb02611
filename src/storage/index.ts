export type { BlobStore, BlobWriter, ByteRange, ObjectInfo } from './driver.js';
export { PathNotFoundError, InvalidPathError, checkPath } from './driver.js';
export { createFilesystemStore } from './drivers/fs/index.js';
