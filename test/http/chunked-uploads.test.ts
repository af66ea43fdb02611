import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { OciClient, expectError, randomBlob, streamOf, uniqueName, type Blob } from '../helpers/oci.js';
import { storedBlobExists } from '../helpers/stored.js';

// Distribution spec "Pushing a blob in chunks" and "streamed" uploads: PATCH with and
// without Content-Range, out-of-order chunks (416 + Range), then PUT ?digest=.

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

function withDigest(location: string, digest: string, base = server.url): string {
  const url = new URL(location, base);
  url.searchParams.set('digest', digest);
  return url.toString();
}

async function patchChunk(location: string, blob: Blob, start: number, end: number): Promise<Response> {
  const res = await client.fetch(location, {
    method: 'PATCH',
    headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end}` },
    body: blob.bytes.subarray(start, end + 1),
  });
  await res.arrayBuffer();
  return res;
}

async function expectBlob(repo: string, blob: Blob) {
  const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('docker-content-digest'), blob.digest);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes);
}

test('chunks sent in order with Content-Range answer 202 with a growing Range, then PUT ?digest= completes', async () => {
  const repo = uniqueName();
  const blob = randomBlob(3 * 4096 - 5);
  let location = await client.startUpload(repo);
  const chunk = 4096;
  for (let start = 0; start < blob.size; start += chunk) {
    const end = Math.min(start + chunk, blob.size) - 1;
    const res = await patchChunk(location, blob, start, end);
    assert.equal(res.status, 202, `chunk ${start}-${end}`);
    assert.equal(res.headers.get('range'), `0-${end}`);
    assert.ok(res.headers.get('docker-upload-uuid'));
    location = res.headers.get('location') ?? assert.fail('PATCH must answer a Location');
  }
  const put = await client.send('PUT', withDigest(location, blob.digest));
  assert.equal(put.status, 201);
  assert.equal(put.headers.get('docker-content-digest'), blob.digest);
  assert.ok(put.headers.get('location'));
  await expectBlob(repo, blob);
});

test('a multi-megabyte blob uploads in large chunks', async () => {
  const repo = uniqueName();
  const blob = randomBlob(10 * 1024 * 1024 + 17);
  const chunk = 3 * 1024 * 1024;
  const location = await client.startUpload(repo);
  for (let start = 0; start < blob.size; start += chunk) {
    const end = Math.min(start + chunk, blob.size) - 1;
    assert.equal((await patchChunk(location, blob, start, end)).status, 202);
  }
  assert.equal((await client.send('PUT', withDigest(location, blob.digest))).status, 201);
  const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(blob.bytes));
});

test('Content-Range with a "bytes " prefix and a total, as some clients send it, is understood', async () => {
  const repo = uniqueName();
  const blob = randomBlob(200);
  const location = await client.startUpload(repo);
  const res = await client.fetch(location, {
    method: 'PATCH',
    headers: { 'content-range': `bytes 0-99/${blob.size}` },
    body: blob.bytes.subarray(0, 100),
  });
  await res.arrayBuffer();
  assert.equal(res.status, 202);
  assert.equal(res.headers.get('range'), '0-99');
  assert.equal((await patchChunk(location, blob, 100, 199)).status, 202);
  assert.equal((await client.send('PUT', withDigest(location, blob.digest))).status, 201);
  await expectBlob(repo, blob);
});

test('the last chunk can travel in the PUT with its Content-Range', async () => {
  const repo = uniqueName();
  const blob = randomBlob(10_000);
  const location = await client.startUpload(repo);
  const first = await patchChunk(location, blob, 0, 5999);
  assert.equal(first.status, 202);

  const put = await client.fetch(withDigest(first.headers.get('location') ?? location, blob.digest), {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-range': `6000-${blob.size - 1}` },
    body: blob.bytes.subarray(6000),
  });
  await put.arrayBuffer();
  assert.equal(put.status, 201);
  await expectBlob(repo, blob);
});

test('an out-of-order chunk answers 416 with the current Range, and the session carries on', async () => {
  const repo = uniqueName();
  const blob = randomBlob(3000);
  const location = await client.startUpload(repo);

  // Skipping ahead before anything was received.
  const early = await client.fetch(location, {
    method: 'PATCH',
    headers: { 'content-range': '1000-1999' },
    body: blob.bytes.subarray(1000, 2000),
  });
  assert.equal(early.headers.get('range'), '0-0');
  await expectError(early, 416, 'RANGE_INVALID');

  assert.equal((await patchChunk(location, blob, 0, 999)).status, 202);

  // Skipping ahead, then going back to the start: both are refused with the received range.
  for (const [start, end] of [
    [2000, 2999],
    [0, 999],
    [500, 1499],
  ]) {
    const res = await client.fetch(location, {
      method: 'PATCH',
      headers: { 'content-range': `${start}-${end}` },
      body: blob.bytes.subarray(start, end + 1),
    });
    assert.equal(res.headers.get('range'), '0-999', `chunk ${start}-${end}`);
    await expectError(res, 416, 'RANGE_INVALID');
  }

  // A GET tells the client where to resume; the refused chunks left nothing behind.
  const status = await client.send('GET', location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), '0-999');

  assert.equal((await patchChunk(location, blob, 1000, 1999)).status, 202);
  assert.equal((await patchChunk(location, blob, 2000, 2999)).status, 202);
  const put = await client.send('PUT', withDigest(location, blob.digest));
  assert.equal(put.status, 201);
  await expectBlob(repo, blob);
});

test('an out-of-order last chunk in the PUT answers 416 and does not complete the upload', async () => {
  const repo = uniqueName();
  const blob = randomBlob(2000);
  const location = await client.startUpload(repo);
  assert.equal((await patchChunk(location, blob, 0, 499)).status, 202);

  const bad = await client.fetch(withDigest(location, blob.digest), {
    method: 'PUT',
    headers: { 'content-range': `1000-${blob.size - 1}` },
    body: blob.bytes.subarray(1000),
  });
  assert.equal(bad.headers.get('range'), '0-499');
  await expectError(bad, 416, 'RANGE_INVALID');
  assert.equal((await client.send('HEAD', `/v2/${repo}/blobs/${blob.digest}`)).status, 404);

  const status = await client.send('GET', location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), '0-499');
  const put = await client.fetch(withDigest(location, blob.digest), {
    method: 'PUT',
    headers: { 'content-range': `500-${blob.size - 1}` },
    body: blob.bytes.subarray(500),
  });
  await put.arrayBuffer();
  assert.equal(put.status, 201);
  await expectBlob(repo, blob);
});

test('a malformed Content-Range answers 416 RANGE_INVALID', async () => {
  const repo = uniqueName();
  const blob = randomBlob(100);
  const location = await client.startUpload(repo);
  for (const range of ['bytes', '10-5', 'a-b', '-5']) {
    const res = await client.fetch(location, {
      method: 'PATCH',
      headers: { 'content-range': range },
      body: blob.bytes,
    });
    await expectError(res, 416, 'RANGE_INVALID');
  }
  assert.equal((await client.send('GET', location)).headers.get('range'), '0-0');
});

test('a Content-Range whose length disagrees with the body is refused and nothing is appended', async () => {
  const repo = uniqueName();
  const blob = randomBlob(100);
  const location = await client.startUpload(repo);
  const res = await client.fetch(location, {
    method: 'PATCH',
    headers: { 'content-range': '0-199' },
    body: blob.bytes,
  });
  await expectError(res, 416, 'RANGE_INVALID');
  const status = await client.send('GET', location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), '0-0');
});

test('a chunk streamed without Content-Length that carries more than its Content-Range is refused, keeps nothing past the range, and the upload carries on', async () => {
  const repo = uniqueName();
  const blob = randomBlob(300);
  const location = await client.startUpload(repo);
  // Claims bytes 0-99 but streams 150: the first 100 arrive as their own read, then 50 too many.
  const res = await client.fetch(location, {
    method: 'PATCH',
    headers: { 'content-type': 'application/octet-stream', 'content-range': '0-99' },
    body: streamOf(blob.bytes.subarray(0, 100), blob.bytes.subarray(100, 150)),
    duplex: 'half',
  });
  const body = await expectError(res, 400, 'SIZE_INVALID');
  assert.match(body.errors[0]!.message, /more than its 100 bytes/);
  // The session holds no more than the range named: a prefix of it, as after any interrupted request.
  const status = await client.send('GET', location);
  assert.equal(status.status, 204);
  const held = Number(/^0-(\d+)$/.exec(status.headers.get('range') ?? '')?.[1] ?? 'NaN') + 1;
  assert.ok(held === 1 || held === 100, `the session holds ${status.headers.get('range')}`);
  const start = held === 100 ? 100 : 0;
  const rest = await patchChunk(location, blob, start, blob.size - 1);
  assert.equal(rest.status, 202);
  assert.equal((await client.send('PUT', withDigest(rest.headers.get('location')!, blob.digest))).status, 201);
  await expectBlob(repo, blob);
});

test('a streamed PATCH without Content-Range (chunked transfer encoding) answers 202 and PUT completes', async () => {
  const repo = uniqueName();
  const blob = randomBlob(50_000);
  const location = await client.startUpload(repo);
  const patch = await client.fetch(location, {
    method: 'PATCH',
    headers: { 'content-type': 'application/octet-stream' },
    body: streamOf(blob.bytes.subarray(0, 20_000), blob.bytes.subarray(20_000)),
    duplex: 'half',
  });
  await patch.arrayBuffer();
  assert.equal(patch.status, 202);
  assert.equal(patch.headers.get('range'), `0-${blob.size - 1}`);
  const next = patch.headers.get('location') ?? assert.fail('PATCH must answer a Location');

  const put = await client.send('PUT', withDigest(next, blob.digest));
  assert.equal(put.status, 201);
  assert.equal(put.headers.get('docker-content-digest'), blob.digest);
  await expectBlob(repo, blob);
});

test('several streamed PATCHes append in order', async () => {
  const repo = uniqueName();
  const blob = randomBlob(9000);
  const location = await client.startUpload(repo);
  for (const [start, end] of [
    [0, 3000],
    [3000, 6000],
    [6000, 9000],
  ]) {
    const res = await client.send('PATCH', location, { body: blob.bytes.subarray(start, end) });
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('range'), `0-${end - 1}`);
  }
  assert.equal((await client.send('PUT', withDigest(location, blob.digest))).status, 201);
  await expectBlob(repo, blob);
});

test('a chunked upload with the wrong digest answers 400 DIGEST_INVALID and stores nothing', async () => {
  const repo = uniqueName();
  const blob = randomBlob(3000);
  const claimed = randomBlob(3000).digest;
  const location = await client.startUpload(repo);
  assert.equal((await patchChunk(location, blob, 0, 1499)).status, 202);
  assert.equal((await patchChunk(location, blob, 1500, 2999)).status, 202);

  await expectError(await client.fetch(withDigest(location, claimed), { method: 'PUT' }), 400, 'DIGEST_INVALID');
  for (const digest of [claimed, blob.digest]) {
    assert.equal((await client.send('HEAD', `/v2/${repo}/blobs/${digest}`)).status, 404);
    assert.equal(await storedBlobExists(server.dataDir, digest), false);
  }
});

test('a streamed upload with the wrong digest answers 400 DIGEST_INVALID and stores nothing', async () => {
  const repo = uniqueName();
  const blob = randomBlob(3000);
  const location = await client.startUpload(repo);
  const patch = await client.fetch(location, {
    method: 'PATCH',
    body: streamOf(blob.bytes, Buffer.from('oh no')),
    duplex: 'half',
  });
  await patch.arrayBuffer();
  assert.equal(patch.status, 202);
  await expectError(await client.fetch(withDigest(location, blob.digest), { method: 'PUT' }), 400, 'DIGEST_INVALID');
  assert.equal((await client.send('HEAD', `/v2/${repo}/blobs/${blob.digest}`)).status, 404);
  assert.equal(await storedBlobExists(server.dataDir, blob.digest), false);
});

test('chunked and streamed uploads verify sha512 digests', async () => {
  const repo = uniqueName();
  const chunked = randomBlob(6000, 'sha512');
  const location = await client.startUpload(repo);
  assert.equal((await patchChunk(location, chunked, 0, 2999)).status, 202);
  assert.equal((await patchChunk(location, chunked, 3000, 5999)).status, 202);
  const put = await client.send('PUT', withDigest(location, chunked.digest));
  assert.equal(put.status, 201);
  assert.equal(put.headers.get('docker-content-digest'), chunked.digest);
  await expectBlob(repo, chunked);

  const streamed = randomBlob(7000, 'sha512');
  const session = await client.startUpload(repo);
  assert.equal((await client.send('PATCH', session, { body: streamOf(streamed.bytes), duplex: 'half' })).status, 202);
  assert.equal((await client.send('PUT', withDigest(session, streamed.digest))).status, 201);
  await expectBlob(repo, streamed);
});

test('a chunked upload survives a restart of Berth on the same data directory', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startTestBerth({ dataDir });
  const repo = uniqueName();
  const blob = randomBlob(4000);
  let location: string;
  try {
    const c = new OciClient(first.url);
    location = await c.startUpload(repo);
    const res = await c.fetch(location, {
      method: 'PATCH',
      headers: { 'content-range': '0-1999' },
      body: blob.bytes.subarray(0, 2000),
    });
    await res.arrayBuffer();
    assert.equal(res.status, 202);
  } finally {
    await first.close();
  }
  const second = await startTestBerth({ dataDir });
  try {
    const c = new OciClient(second.url);
    const status = await c.send('GET', location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-1999');
    const res = await c.fetch(withDigest(location, blob.digest, second.url), {
      method: 'PUT',
      headers: { 'content-range': '2000-3999' },
      body: blob.bytes.subarray(2000),
    });
    await res.arrayBuffer();
    assert.equal(res.status, 201);
    const get = await c.fetch(`/v2/${repo}/blobs/${blob.digest}`);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), blob.bytes);
  } finally {
    await second.close();
  }
});
