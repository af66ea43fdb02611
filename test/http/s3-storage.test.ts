import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { S3Client } from '@aws-sdk/client-s3';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { OciClient, expectError, randomBlob, uniqueName, type Blob } from '../helpers/oci.js';
import {
  bucketKeys,
  createTestBucket,
  deleteTestBucket,
  openUploads,
  s3Endpoint,
  s3Unavailable,
  testS3Client,
  testS3Config,
} from '../helpers/s3.js';

// A Berth whose blob store is the real S3 server: chunked and monolithic pushes land
// in the bucket, blob GETs redirect to a presigned URL (or stream with
// storage.disableredirect), and a digest mismatch leaves nothing behind.

const MiB = 1024 * 1024;
const unavailable = await s3Unavailable();
let s3: S3Client;
let bucket: string;
let redirecting: TestBerth;
let streaming: TestBerth;

function blobKey(root: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return `${root}/blobs/sha256/${hex.slice(0, 2)}/${hex}`;
}

before(async () => {
  if (unavailable) return;
  s3 = testS3Client();
  bucket = await createTestBucket(s3, 'berth-http');
  redirecting = await startTestBerth({
    storage: { type: 's3', s3: testS3Config(bucket, { rootdirectory: '/redirecting' }) },
  });
  streaming = await startTestBerth({
    storage: { type: 's3', disableredirect: true, s3: testS3Config(bucket, { rootdirectory: 'streaming' }) },
  });
});
after(async () => {
  if (unavailable) return;
  await redirecting.close();
  await streaming.close();
  await deleteTestBucket(s3, bucket);
  s3.destroy();
});

const s3Test = (name: string, fn: () => Promise<void>) =>
  test(name, async (t) => (unavailable ? t.skip(unavailable) : fn()));

async function pushInChunks(
  client: OciClient,
  repo: string,
  blob: Blob,
  chunk: number,
  digest = blob.digest,
): Promise<Response> {
  let location = await client.startUpload(repo);
  for (let start = 0; start < blob.size; start += chunk) {
    const end = Math.min(start + chunk, blob.size) - 1;
    const res = await client.fetch(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end}` },
      body: blob.bytes.subarray(start, end + 1),
    });
    await res.arrayBuffer();
    assert.equal(res.status, 202, `chunk ${start}-${end}`);
    assert.equal(res.headers.get('range'), `0-${end}`);
    location = res.headers.get('location') ?? assert.fail('PATCH must answer a Location');
  }
  const url = new URL(location, client.url);
  url.searchParams.set('digest', digest);
  return client.fetch(url.toString(), { method: 'PUT' });
}

async function expectRedirectedBlob(client: OciClient, repo: string, blob: Blob): Promise<void> {
  const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('docker-content-digest'), blob.digest);
  const location = new URL(res.headers.get('location') ?? assert.fail('307 without Location'));
  assert.equal(location.origin, new URL(s3Endpoint).origin, 'the redirect points at the S3 endpoint');
  assert.equal(location.searchParams.get('X-Amz-Expires'), '900');
  // fetch follows the redirect to S3, as docker and containerd do.
  const followed = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(followed.status, 200);
  assert.ok(followed.redirected);
  assert.ok(Buffer.from(await followed.arrayBuffer()).equals(blob.bytes), 'the presigned URL serves the blob bytes');
}

s3Test(
  'a 12 MiB blob pushed in 3 MiB chunks is buffered into S3 parts, completed under its digest and served by a presigned redirect',
  async () => {
    const client = new OciClient(redirecting.url);
    const repo = uniqueName('s3-chunked');
    const blob = randomBlob(12 * MiB + 4321);
    const put = await pushInChunks(client, repo, blob, 3 * MiB);
    await put.arrayBuffer();
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('docker-content-digest'), blob.digest);

    const keys = await bucketKeys(s3, bucket, 'redirecting/');
    assert.ok(keys.includes(blobKey('redirecting', blob.digest)), `blob object in ${keys.join(', ')}`);
    assert.deepEqual(
      keys.filter((key) => key.startsWith('redirecting/uploads/')),
      [],
      'no upload scratch objects left',
    );
    assert.deepEqual(await openUploads(s3, bucket), [], 'no multipart upload left open');
    await expectRedirectedBlob(client, repo, blob);

    const head = await client.send('HEAD', `/v2/${repo}/blobs/${blob.digest}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(blob.size));
  },
);

s3Test('chunks that reach the part size open a multipart upload that stays open until the PUT', async () => {
  const client = new OciClient(redirecting.url);
  const repo = uniqueName('s3-parts');
  const blob = randomBlob(11 * MiB);
  const location = await client.startUpload(repo);
  const patch = await client.fetch(location, {
    method: 'PATCH',
    headers: { 'content-type': 'application/octet-stream' },
    body: blob.bytes,
  });
  await patch.arrayBuffer();
  assert.equal(patch.status, 202);
  assert.equal((await openUploads(s3, bucket)).length, 1, 'one 10 MiB part sent, the rest kept as the tail');
  const status = await client.send('GET', patch.headers.get('location') ?? assert.fail('no Location'));
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), `0-${blob.size - 1}`);
  const url = new URL(patch.headers.get('location') ?? '', client.url);
  url.searchParams.set('digest', blob.digest);
  const put = await client.send('PUT', url.toString());
  assert.equal(put.status, 201);
  assert.deepEqual(await openUploads(s3, bucket), []);
  await expectRedirectedBlob(client, repo, blob);
});

s3Test('a 1 MiB monolithic push is served by a presigned redirect, and a Range follows it', async () => {
  const client = new OciClient(redirecting.url);
  const repo = uniqueName('s3-monolithic');
  const blob = randomBlob(MiB);
  await client.pushBlob(repo, blob);
  assert.ok((await bucketKeys(s3, bucket, 'redirecting/blobs/')).includes(blobKey('redirecting', blob.digest)));
  await expectRedirectedBlob(client, repo, blob);
  const ranged = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { headers: { range: 'bytes=1000-1999' } });
  assert.equal(ranged.status, 206);
  assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(blob.bytes.subarray(1000, 2000)));
});

s3Test('with storage.disableredirect Berth streams the bytes itself, whole or by range', async () => {
  const client = new OciClient(streaming.url);
  const repo = uniqueName('s3-streamed');
  const chunked = randomBlob(12 * MiB);
  const put = await pushInChunks(client, repo, chunked, 3 * MiB);
  await put.arrayBuffer();
  assert.equal(put.status, 201);
  const monolithic = randomBlob(MiB);
  await client.pushBlob(repo, monolithic);
  for (const blob of [chunked, monolithic]) {
    const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { redirect: 'manual' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(blob.size));
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(blob.bytes));
  }
  const ranged = await client.fetch(`/v2/${repo}/blobs/${chunked.digest}`, {
    headers: { range: `bytes=${5 * MiB}-${11 * MiB}` },
  });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get('content-range'), `bytes ${5 * MiB}-${11 * MiB}/${chunked.size}`);
  assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(chunked.bytes.subarray(5 * MiB, 11 * MiB + 1)));
  assert.ok((await bucketKeys(s3, bucket, 'streaming/blobs/')).includes(blobKey('streaming', chunked.digest)));
});

s3Test('a digest mismatch, chunked or monolithic, stores nothing in the bucket', async () => {
  const client = new OciClient(streaming.url);
  const repo = uniqueName('s3-mismatch');
  const blob = randomBlob(12 * MiB);
  const claimed = randomBlob(16).digest;
  const put = await pushInChunks(client, repo, blob, 3 * MiB, claimed);
  await expectError(put, 400, 'DIGEST_INVALID');
  const small = randomBlob(MiB);
  const post = await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${claimed}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: small.bytes,
  });
  await expectError(post, 400, 'DIGEST_INVALID');

  const keys = await bucketKeys(s3, bucket, 'streaming/');
  for (const digest of [claimed, blob.digest, small.digest])
    assert.ok(!keys.includes(blobKey('streaming', digest)), `no object for ${digest}`);
  assert.deepEqual(
    keys.filter((key) => key.startsWith('streaming/uploads/')),
    [],
    'no upload scratch objects left',
  );
  assert.deepEqual(await openUploads(s3, bucket), [], 'no multipart upload left open');
  const get = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  await expectError(get, 404, 'BLOB_UNKNOWN');
});
