import type { BlobStore } from './driver.js';
import { createFilesystemStore } from './drivers/fs/index.js';

/** The `storage.*` settings as the configuration resolves them (plain data: a worker thread can receive them). */
export interface StorageSettings {
  type: 'filesystem' | 's3';
  filesystem: { rootdirectory: string };
  s3: {
    endpoint?: string;
    region: string;
    bucket?: string;
    accesskey?: string;
    secretkey?: string;
    forcepathstyle: boolean;
    rootdirectory: string;
    storageclass: string;
    chunksize: number;
    encrypt: boolean;
    keyid?: string;
    secure: boolean;
    skipverify: boolean;
  };
  disableredirect: boolean;
}

/** The configured blob store: for the server, `berth gc`, and garbage collection's worker thread. */
export async function createBlobStore(storage: StorageSettings): Promise<BlobStore> {
  if (storage.type === 's3') {
    // The AWS SDK costs ~20 MiB of memory: loaded only when the blob store is S3.
    const { createS3Store } = await import('./drivers/s3/index.js');
    const { s3 } = storage;
    return createS3Store({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket ?? '',
      accessKey: s3.accesskey,
      secretKey: s3.secretkey,
      forcePathStyle: s3.forcepathstyle,
      rootDirectory: s3.rootdirectory,
      storageClass: s3.storageclass,
      chunkSize: s3.chunksize,
      encrypt: s3.encrypt,
      keyId: s3.keyid,
      secure: s3.secure,
      skipVerify: s3.skipverify,
      disableRedirect: storage.disableredirect,
    });
  }
  return createFilesystemStore({ root: storage.filesystem.rootdirectory });
}
