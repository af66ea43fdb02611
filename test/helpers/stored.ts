import { join } from 'node:path';
import { blobPath } from '../../src/registry/paths.js';
import { createFilesystemStore } from '../../src/storage/drivers/fs/index.js';
import { PathNotFoundError, type BlobStore } from '../../src/storage/index.js';
import { scaleOutStoreOptions } from './scale-out.js';

// What a test server's blob store holds, read behind Berth's back: the filesystem under
// its data directory, or (scale-out profile) its prefix in the suite's S3 bucket.

const stores = new Map<string, Promise<BlobStore>>();

async function openStore(dataDir: string): Promise<BlobStore> {
  const s3 = await scaleOutStoreOptions(dataDir);
  if (!s3) return createFilesystemStore({ root: join(dataDir, 'storage') });
  const { createS3Store } = await import('../../src/storage/drivers/s3/index.js');
  return createS3Store(s3);
}

/** The blob store of the test server on `dataDir`. */
export function testBlobStore(dataDir: string): Promise<BlobStore> {
  let store = stores.get(dataDir);
  if (!store) stores.set(dataDir, (store = openStore(dataDir)));
  return store;
}

async function exists(store: BlobStore, path: string): Promise<boolean> {
  try {
    await store.stat(path);
    return true;
  } catch (err) {
    if (err instanceof PathNotFoundError) return false;
    throw err;
  }
}

/** Whether the store holds bytes for `digest` (DESIGN.md layout). */
export async function storedBlobExists(dataDir: string, digest: string): Promise<boolean> {
  return exists(await testBlobStore(dataDir), blobPath(digest));
}

/** Deletes the stored bytes of `digest`, leaving Berth's database as it is. */
export async function removeStoredBlob(dataDir: string, digest: string): Promise<void> {
  await (await testBlobStore(dataDir)).delete(blobPath(digest));
}

/** Upload sessions (uuids) with scratch data in the store. */
export async function storedUploads(dataDir: string): Promise<string[]> {
  const paths = await (await testBlobStore(dataDir)).list('uploads');
  return paths.map((path) => path.split('/').at(-1)!);
}

/** Whether the scratch data of upload `uuid` is in the store. */
export async function storedUploadExists(dataDir: string, uuid: string): Promise<boolean> {
  return (await storedUploads(dataDir)).includes(uuid);
}
