import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../../driver.js';
import { createS3Store } from './index.js';
import {
  createTestBucket,
  deleteTestBucket,
  openUploads,
  s3Unavailable,
  testS3Client,
  testS3Options,
} from '../../../../test/helpers/s3.js';

// What the shared suite cannot see: appends continued by another replica, sessions that
// die after sending parts, and open multipart uploads left behind.

const MiB = 1024 * 1024;
const unavailable = await s3Unavailable();
let s3: S3Client;
let bucket: string;
let replicaA: BlobStore;
let replicaB: BlobStore;

before(async () => {
  if (unavailable) return;
  s3 = testS3Client();
  bucket = await createTestBucket(s3, 'berth-append');
  replicaA = createS3Store(testS3Options(bucket, { chunkSize: 5 * MiB }));
  replicaB = createS3Store(testS3Options(bucket, { chunkSize: 5 * MiB }));
});
after(async () => {
  if (unavailable) return;
  await replicaA.close?.();
  await replicaB.close?.();
  await deleteTestBucket(s3, bucket);
  s3.destroy();
});

const s3Test = (name: string, fn: () => Promise<void>) =>
  test(name, async (t) => (unavailable ? t.skip(unavailable) : fn()));

async function appendSession(store: BlobStore, path: string, bytes: Buffer, commit = true): Promise<void> {
  const writer = await store.writer(path, { append: true });
  for (let offset = 0; offset < bytes.length; offset += MiB) await writer.write(bytes.subarray(offset, offset + MiB));
  if (commit) await writer.commit();
  await writer.close();
}

s3Test('sessions alternating between two replicas build one object', async () => {
  const sessions = [randomBytes(7 * MiB + 3), randomBytes(2 * MiB), randomBytes(6 * MiB), randomBytes(100)];
  let expected = 0;
  for (const [i, bytes] of sessions.entries()) {
    await appendSession(i % 2 === 0 ? replicaA : replicaB, 'alternate/data', bytes);
    expected += bytes.length;
    assert.equal((await (i % 2 === 0 ? replicaB : replicaA).stat('alternate/data')).size, expected);
  }
  assert.ok((await replicaB.getContent('alternate/data')).equals(Buffer.concat(sessions)));
  await replicaA.delete('alternate');
});

s3Test('a session that sends parts but never commits leaves the object at its last commit', async () => {
  const committed = randomBytes(6 * MiB);
  await appendSession(replicaA, 'crash/data', committed);
  await appendSession(replicaA, 'crash/data', randomBytes(12 * MiB), false);
  assert.equal((await replicaB.stat('crash/data')).size, committed.length);
  const resumed = randomBytes(2 * MiB);
  await appendSession(replicaB, 'crash/data', resumed);
  assert.ok((await replicaA.getContent('crash/data')).equals(Buffer.concat([committed, resumed])));
  await replicaA.delete('crash');
});

s3Test('an object in progress is listed once, and deleting its prefix aborts its multipart upload', async () => {
  await appendSession(replicaA, 'progress/u1/data', randomBytes(6 * MiB + 1));
  assert.deepEqual(await replicaB.list('progress/u1'), ['progress/u1/data']);
  assert.equal((await openUploads(s3, bucket)).length, 1);
  await replicaB.delete('progress/u1');
  assert.deepEqual(await openUploads(s3, bucket), []);
  assert.deepEqual(await replicaA.list('progress'), []);
});

s3Test('a plain writer over an object in progress replaces it and abandons the upload', async () => {
  await appendSession(replicaA, 'replace/data', randomBytes(8 * MiB));
  const writer = await replicaB.writer('replace/data');
  await writer.write(Buffer.from('fresh'));
  await writer.commit();
  await writer.close();
  assert.equal((await replicaA.getContent('replace/data')).toString(), 'fresh');
  assert.deepEqual(await openUploads(s3, bucket), []);
  await replicaA.delete('replace');
});
