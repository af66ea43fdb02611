import { after, test } from 'node:test';
import { blobStoreSuite } from '../../suite.js';
import { createS3Store } from './index.js';
import {
  createTestBucket,
  deleteTestBucket,
  emptyBucket,
  s3Unavailable,
  testS3Client,
  testS3Options,
} from '../../../../test/helpers/s3.js';

// The shared suite against the real S3 server. Cases alternate between a fresh bucket
// used from its root and a fresh root directory in one shared bucket. The chunk size
// is S3's minimum, so the suite's 12 MiB objects span several parts.

const unavailable = await s3Unavailable();
if (unavailable) {
  test('BlobStore suite: s3', (t) => t.skip(unavailable));
} else {
  const client = testS3Client();
  const shared = await createTestBucket(client, 'berth-suite');
  let cases = 0;
  after(async () => {
    await deleteTestBucket(client, shared);
    client.destroy();
  });
  blobStoreSuite('s3', async () => {
    const n = ++cases;
    if (n % 2 === 0) {
      const bucket = await createTestBucket(client, 'berth-case');
      const store = createS3Store(testS3Options(bucket, { chunkSize: 5 * 1024 * 1024 }));
      return { store, cleanup: async () => (await store.close?.(), await deleteTestBucket(client, bucket)) };
    }
    const rootDirectory = `/berth/case-${n}/`;
    const store = createS3Store(testS3Options(shared, { chunkSize: 5 * 1024 * 1024, rootDirectory }));
    return {
      store,
      cleanup: async () => (await store.close?.(), await emptyBucket(client, shared, 'berth/case-' + n + '/')),
    };
  });
}
