import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { OciClient, blobOf, expectError, randomBlob, uniqueName } from '../helpers/oci.js';
import { storedBlobExists, storedUploads } from '../helpers/stored.js';

// Distribution spec "Pushing blobs": monolithic POST ?digest=, POST then PUT ?digest=,
// upload status, cancellation, and digest verification.

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

async function expectBlob(repo: string, blob: { digest: string; bytes: Buffer }) {
  const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes);
}

async function expectNoBlob(repo: string, digest: string) {
  const res = await client.send('HEAD', `/v2/${repo}/blobs/${digest}`);
  assert.equal(res.status, 404, `blob ${digest} must not exist in ${repo}`);
}

async function expectNothingStored(digest: string) {
  assert.equal(await storedBlobExists(server.dataDir, digest), false, `no bytes stored under ${digest}`);
}

test('monolithic POST ?digest= with the body answers 201 with Location and Docker-Content-Digest', async () => {
  const repo = uniqueName();
  const blob = randomBlob(4096);
  const res = await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: blob.bytes,
  });
  await res.arrayBuffer();
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('docker-content-digest'), blob.digest);
  const location = res.headers.get('location');
  assert.ok(location);
  // The Location is where the blob can be fetched.
  const fetched = await client.fetch(location);
  assert.equal(fetched.status, 200);
  assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), blob.bytes);
});

test('POST without a digest opens a session: 202 with Location, Docker-Upload-UUID and Range', async () => {
  const repo = uniqueName();
  const res = await client.send('POST', `/v2/${repo}/blobs/uploads/`);
  assert.equal(res.status, 202);
  const uuid = res.headers.get('docker-upload-uuid');
  assert.ok(uuid);
  const location = res.headers.get('location');
  assert.ok(location);
  assert.ok(new URL(location, server.url).pathname.startsWith(`/v2/${repo}/blobs/uploads/`), location);
  assert.ok(location.includes(uuid), 'the Location names the session');
  assert.equal(res.headers.get('range'), '0-0');
});

test('POST then PUT ?digest= with the whole blob answers 201 and stores it', async () => {
  const repo = uniqueName();
  const blob = randomBlob(5000);
  const location = await client.startUpload(repo);
  const url = new URL(location, server.url);
  url.searchParams.set('digest', blob.digest);
  const res = await client.fetch(url.toString(), {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: blob.bytes,
  });
  await res.arrayBuffer();
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('docker-content-digest'), blob.digest);
  assert.equal(new URL(res.headers.get('location') ?? '', server.url).pathname, `/v2/${repo}/blobs/${blob.digest}`);
  await expectBlob(repo, blob);
});

test('a session ends with the PUT: its URL then answers 404 BLOB_UPLOAD_UNKNOWN', async () => {
  const repo = uniqueName();
  const blob = randomBlob(100);
  const location = await client.startUpload(repo);
  const put = await client.send('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${blob.digest}`, {
    body: blob.bytes,
  });
  assert.equal(put.status, 201);
  await expectError(await client.fetch(location), 404, 'BLOB_UPLOAD_UNKNOWN');
});

test('GET on a session answers 204 with Range, Location and Docker-Upload-UUID', async () => {
  const repo = uniqueName();
  const location = await client.startUpload(repo);
  const chunk = randomBlob(1000);
  const patch = await client.send('PATCH', location, {
    body: chunk.bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(patch.status, 202);

  const status = await client.send('GET', patch.headers.get('location') ?? location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), '0-999');
  assert.ok(status.headers.get('location'));
  assert.ok(status.headers.get('docker-upload-uuid'));
  assert.equal(status.headers.get('docker-upload-uuid'), patch.headers.get('docker-upload-uuid'));
});

test('DELETE on a session cancels it: 204, then 404 BLOB_UPLOAD_UNKNOWN for GET, PATCH, PUT and DELETE', async () => {
  const repo = uniqueName();
  const blob = randomBlob(100);
  const location = await client.startUpload(repo);
  await client.send('PATCH', location, { body: blob.bytes });

  const del = await client.send('DELETE', location);
  assert.equal(del.status, 204);
  await expectError(await client.fetch(location), 404, 'BLOB_UPLOAD_UNKNOWN');
  await expectError(await client.fetch(location, { method: 'PATCH', body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
  await expectError(
    await client.fetch(`${location}?digest=${blob.digest}`, { method: 'PUT' }),
    404,
    'BLOB_UPLOAD_UNKNOWN',
  );
  await expectError(await client.fetch(location, { method: 'DELETE' }), 404, 'BLOB_UPLOAD_UNKNOWN');
  await expectNoBlob(repo, blob.digest);
  await expectNothingStored(blob.digest);
  assert.ok(
    !(await storedUploads(server.dataDir)).some((uuid) => location.includes(uuid)),
    'the cancelled session left no scratch data',
  );
});

test('an unknown session id answers 404 BLOB_UPLOAD_UNKNOWN', async () => {
  const repo = uniqueName();
  await client.startUpload(repo);
  for (const uuid of ['00000000-0000-0000-0000-000000000000', 'not-a-session', 'x'.repeat(300)]) {
    await expectError(await client.fetch(`/v2/${repo}/blobs/uploads/${uuid}`), 404, 'BLOB_UPLOAD_UNKNOWN');
  }
});

test('a session belongs to its repository: another repository cannot use it', async () => {
  const repo = uniqueName('owner');
  const other = uniqueName('other');
  const blob = randomBlob(64);
  const location = await client.startUpload(repo);
  const uuid = new URL(location, server.url).pathname.split('/').pop();

  await expectError(await client.fetch(`/v2/${other}/blobs/uploads/${uuid}`), 404, 'BLOB_UPLOAD_UNKNOWN');
  await expectError(
    await client.fetch(`/v2/${other}/blobs/uploads/${uuid}?digest=${blob.digest}`, { method: 'PUT', body: blob.bytes }),
    404,
    'BLOB_UPLOAD_UNKNOWN',
  );
  // The owner's session is still usable.
  const put = await client.send('PUT', `/v2/${repo}/blobs/uploads/${uuid}?digest=${blob.digest}`, { body: blob.bytes });
  assert.equal(put.status, 201);
  await expectNoBlob(other, blob.digest);
});

test('PUT without ?digest= does not complete the upload', async () => {
  const repo = uniqueName();
  const blob = randomBlob(64);
  const location = await client.startUpload(repo);
  await expectError(await client.fetch(location, { method: 'PUT', body: blob.bytes }), 400, 'DIGEST_INVALID');
  await expectNoBlob(repo, blob.digest);
  await expectNothingStored(blob.digest);
});

test('monolithic POST with a digest that does not match answers 400 DIGEST_INVALID and stores nothing', async () => {
  const repo = uniqueName();
  const blob = randomBlob(2000);
  const claimed = randomBlob(2000).digest;
  const sessionsBefore = await storedUploads(server.dataDir);
  const res = await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: blob.bytes });
  await expectError(res, 400, 'DIGEST_INVALID');
  await expectNoBlob(repo, claimed);
  await expectNoBlob(repo, blob.digest);
  await expectNothingStored(claimed);
  await expectNothingStored(blob.digest);
  assert.deepEqual(await storedUploads(server.dataDir), sessionsBefore, 'no scratch data left behind');
});

test('PUT ?digest= with a digest that does not match answers 400 DIGEST_INVALID and stores nothing', async () => {
  const repo = uniqueName();
  const blob = randomBlob(2000);
  const corrupted = Buffer.concat([blob.bytes, Buffer.from('oh no')]);
  const location = await client.startUpload(repo);
  const res = await client.fetch(`${location}?digest=${blob.digest}`, { method: 'PUT', body: corrupted });
  await expectError(res, 400, 'DIGEST_INVALID');
  await expectNoBlob(repo, blob.digest);
  await expectNoBlob(repo, blobOf(corrupted).digest);
  await expectNothingStored(blob.digest);
  await expectNothingStored(blobOf(corrupted).digest);
  assert.ok(
    !(await storedUploads(server.dataDir)).some((uuid) => location.includes(uuid)),
    'the failed session left no scratch data',
  );
});

test('a malformed ?digest= answers 400 DIGEST_INVALID', async () => {
  const repo = uniqueName();
  const blob = randomBlob(10);
  await expectError(
    await client.fetch(`/v2/${repo}/blobs/uploads/?digest=sha256:nothex`, { method: 'POST', body: blob.bytes }),
    400,
    'DIGEST_INVALID',
  );
  const location = await client.startUpload(repo);
  await expectError(
    await client.fetch(`${location}?digest=bogus`, { method: 'PUT', body: blob.bytes }),
    400,
    'DIGEST_INVALID',
  );
});

test('sha512: monolithic and POST+PUT uploads are verified with sha512', async () => {
  const repo = uniqueName();
  const mono = randomBlob(3000, 'sha512');
  await client.pushBlob(repo, mono);
  await expectBlob(repo, mono);

  const twoStep = randomBlob(3000, 'sha512');
  const location = await client.startUpload(repo);
  const res = await client.send('PUT', `${location}?digest=${twoStep.digest}`, { body: twoStep.bytes });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('docker-content-digest'), twoStep.digest);
  await expectBlob(repo, twoStep);

  const wrong = randomBlob(100, 'sha512');
  await expectError(
    await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${wrong.digest}`, {
      method: 'POST',
      body: randomBlob(100).bytes,
    }),
    400,
    'DIGEST_INVALID',
  );
  await expectNoBlob(repo, wrong.digest);
  await expectNothingStored(wrong.digest);
});

test('pushing a blob that already exists succeeds again with the same digest', async () => {
  const repo = uniqueName();
  const blob = randomBlob(700);
  await client.pushBlob(repo, blob);
  await client.pushBlob(repo, blob);
  const location = await client.startUpload(repo);
  const res = await client.send('PUT', `${location}?digest=${blob.digest}`, { body: blob.bytes });
  assert.equal(res.status, 201);
  await expectBlob(repo, blob);
});

test('the empty blob can be pushed monolithically and with POST+PUT without a body', async () => {
  const repo = uniqueName();
  const empty = blobOf('');
  const mono = await client.send('POST', `/v2/${repo}/blobs/uploads/?digest=${empty.digest}`);
  assert.equal(mono.status, 201);
  await client.send('DELETE', `/v2/${repo}/blobs/${empty.digest}`);

  const location = await client.startUpload(repo);
  const put = await client.send('PUT', `${location}?digest=${empty.digest}`);
  assert.equal(put.status, 201);
  const head = await client.send('HEAD', `/v2/${repo}/blobs/${empty.digest}`);
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), '0');
});

test('concurrent uploads of different blobs to one repository all land', async () => {
  const repo = uniqueName();
  const blobs = Array.from({ length: 8 }, () => randomBlob(20_000));
  await Promise.all(blobs.map((blob) => client.pushBlob(repo, blob)));
  for (const blob of blobs) await expectBlob(repo, blob);
});

test('the same blob pushed concurrently by many clients lands once, intact', async () => {
  const repo = uniqueName();
  const blob = randomBlob(100_000);
  const results = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      if (i % 2 === 0)
        return client.send('POST', `/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, { body: blob.bytes });
      const location = await client.startUpload(repo);
      return client.send('PUT', `${location}?digest=${blob.digest}`, { body: blob.bytes });
    }),
  );
  for (const res of results) assert.equal(res.status, 201);
  await expectBlob(repo, blob);
});
