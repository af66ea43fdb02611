export type { BlobStore, BlobWriter, ByteRange, ObjectInfo } from './driver.js';
export { PathNotFoundError, InvalidPathError, checkPath } from './driver.js';
export { createFilesystemStore } from './drivers/fs/index.js';
export type { S3StoreOptions } from './drivers/s3/index.js';
export { createBlobStore, type StorageSettings } from './configured.js';
