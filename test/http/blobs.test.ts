import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readlink } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { adminAuthorization, startTestBerth, type TestBerth } from '../helpers/berth.js';
import { OciClient, blobOf, digestOf, expectError, randomBlob, rawRequest, uniqueName } from '../helpers/oci.js';
import { removeStoredBlob, storedBlobExists } from '../helpers/stored.js';

// Distribution spec "Pulling blobs", "Deleting blobs": GET / HEAD / DELETE on
// /v2/<name>/blobs/<digest>, with byte ranges (RFC 9110).

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

test('GET of a pushed blob returns its bytes with Docker-Content-Digest, Content-Length and Content-Type', async () => {
  const repo = uniqueName();
  const blob = randomBlob(3000);
  await client.pushBlob(repo, blob);

  const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('docker-content-digest'), blob.digest);
  assert.equal(res.headers.get('content-length'), String(blob.size));
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes);
});

test('HEAD of a pushed blob answers the same headers and no body', async () => {
  const repo = uniqueName();
  const blob = randomBlob(777);
  await client.pushBlob(repo, blob);

  const res = await rawRequest(`${server.url}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['docker-content-digest'], blob.digest);
  assert.equal(res.headers['content-length'], String(blob.size));
  assert.equal(res.headers['content-type'], 'application/octet-stream');
  assert.equal(res.body.byteLength, 0);
});

test('GET and HEAD of an unknown blob answer 404 BLOB_UNKNOWN (HEAD without a body)', async () => {
  const repo = uniqueName();
  await client.pushBlob(repo, randomBlob(10));
  const missing = randomBlob(10).digest;

  await expectError(await client.fetch(`/v2/${repo}/blobs/${missing}`), 404, 'BLOB_UNKNOWN');
  const head = await rawRequest(`${server.url}/v2/${repo}/blobs/${missing}`, { method: 'HEAD' });
  assert.equal(head.status, 404);
  assert.equal(head.body.byteLength, 0);
});

test('a blob is visible only in the repository it was pushed to', async () => {
  const owner = uniqueName('owner');
  const other = uniqueName('other');
  const blob = randomBlob(100);
  await client.pushBlob(owner, blob);
  await client.pushBlob(other, randomBlob(100));

  await expectError(await client.fetch(`/v2/${other}/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
  const head = await client.send('HEAD', `/v2/${other}/blobs/${blob.digest}`);
  assert.equal(head.status, 404);
});

test('a malformed digest answers 400 DIGEST_INVALID', async () => {
  const repo = uniqueName();
  for (const bad of [
    'sha256:abc',
    'sha256:' + 'G'.repeat(64),
    'md5:' + 'a'.repeat(32),
    'notadigest',
    'sha512:' + 'a'.repeat(64),
  ]) {
    await expectError(await client.fetch(`/v2/${repo}/blobs/${bad}`), 400, 'DIGEST_INVALID');
  }
});

test('Range: bytes=a-b answers 206 with Content-Range and exactly those bytes', async () => {
  const repo = uniqueName();
  const blob = randomBlob(2048);
  await client.pushBlob(repo, blob);

  const cases: [string, number, number][] = [
    ['bytes=500-1499', 500, 1499],
    ['bytes=0-0', 0, 0],
    ['bytes=500-', 500, 2047],
    ['bytes=-500', 1548, 2047],
    ['bytes=2000-5000', 2000, 2047],
  ];
  for (const [range, start, end] of cases) {
    const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { headers: { range } });
    assert.equal(res.status, 206, range);
    assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${blob.size}`, range);
    assert.equal(res.headers.get('content-length'), String(end - start + 1), range);
    assert.equal(res.headers.get('docker-content-digest'), blob.digest, range);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes.subarray(start, end + 1), range);
  }
});

test('an unsatisfiable Range answers 416 RANGE_INVALID with Content-Range: bytes */size', async () => {
  const repo = uniqueName();
  const blob = randomBlob(2048);
  await client.pushBlob(repo, blob);

  for (const range of ['bytes=5000-10000', 'bytes=2048-', 'bytes=500-0', 'bytes=-0', 'bytes=abc']) {
    const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { headers: { range } });
    assert.equal(res.headers.get('content-range'), `bytes */${blob.size}`, range);
    await expectError(res, 416, 'RANGE_INVALID');
  }
});

test('DELETE of a blob answers 202, then the blob is gone (GET and HEAD 404) and a second DELETE is 404', async () => {
  const repo = uniqueName();
  const blob = randomBlob(256);
  const kept = randomBlob(256);
  await client.pushBlobs(repo, blob, kept);
  // Read it first, so a cached descriptor would show if DELETE forgot it.
  assert.equal((await client.send('GET', `/v2/${repo}/blobs/${blob.digest}`)).status, 200);

  const del = await client.send('DELETE', `/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(del.status, 202);
  assert.equal((await client.send('HEAD', `/v2/${repo}/blobs/${blob.digest}`)).status, 404);
  await expectError(await client.fetch(`/v2/${repo}/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
  await expectError(await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { method: 'DELETE' }), 404, 'BLOB_UNKNOWN');
  // Other blobs of the repository are untouched.
  assert.equal((await client.send('HEAD', `/v2/${repo}/blobs/${kept.digest}`)).status, 200);
});

test('deleting a blob in one repository leaves the same content in another repository', async () => {
  const a = uniqueName('a');
  const b = uniqueName('b');
  const blob = randomBlob(300);
  await client.pushBlob(a, blob);
  await client.pushBlob(b, blob);

  assert.equal((await client.send('DELETE', `/v2/${a}/blobs/${blob.digest}`)).status, 202);
  assert.equal((await client.send('HEAD', `/v2/${a}/blobs/${blob.digest}`)).status, 404);
  const res = await client.fetch(`/v2/${b}/blobs/${blob.digest}`);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes);
});

test('a deleted blob can be pushed again', async () => {
  const repo = uniqueName();
  const blob = randomBlob(128);
  await client.pushBlob(repo, blob);
  assert.equal((await client.send('DELETE', `/v2/${repo}/blobs/${blob.digest}`)).status, 202);
  await client.pushBlob(repo, blob);
  const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes);
});

test('sha512 blobs are stored and served under their sha512 digest', async () => {
  const repo = uniqueName();
  const blob = randomBlob(1500, 'sha512');
  assert.match(blob.digest, /^sha512:[0-9a-f]{128}$/);
  await client.pushBlob(repo, blob);

  const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('docker-content-digest'), blob.digest);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes);
  // The same bytes are not visible under their sha256 digest: nothing was pushed under it.
  assert.equal((await client.send('HEAD', `/v2/${repo}/blobs/${digestOf(blob.bytes)}`)).status, 404);
});

test('the empty blob and the empty JSON blob round-trip with the right lengths', async () => {
  const repo = uniqueName();
  for (const blob of [blobOf(''), blobOf('{}')]) {
    await client.pushBlob(repo, blob);
    const head = await client.send('HEAD', `/v2/${repo}/blobs/${blob.digest}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(blob.size));
    const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes);
  }
});

test('a Range on the empty blob is unsatisfiable', async () => {
  const repo = uniqueName();
  const blob = blobOf('');
  await client.pushBlob(repo, blob);
  await expectError(
    await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { headers: { range: 'bytes=0-' } }),
    416,
    'RANGE_INVALID',
  );
});

test('a blob whose bytes vanished from storage answers 404 BLOB_UNKNOWN, not a 500', async () => {
  const repo = uniqueName();
  const blob = randomBlob(100);
  await client.pushBlob(repo, blob);
  assert.ok(await storedBlobExists(server.dataDir, blob.digest));
  await removeStoredBlob(server.dataDir, blob.digest);
  await expectError(await client.fetch(`/v2/${repo}/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
});

test('a multi-megabyte blob streams intact, whole and by range', async () => {
  const repo = uniqueName();
  const blob = randomBlob(9 * 1024 * 1024 + 123);
  await client.pushBlob(repo, blob);
  const whole = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(whole.headers.get('content-length'), String(blob.size));
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(blob.bytes));
  const start = 4 * 1024 * 1024 - 7;
  const end = 8 * 1024 * 1024 + 11;
  const part = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { headers: { range: `bytes=${start}-${end}` } });
  assert.equal(part.status, 206);
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(blob.bytes.subarray(start, end + 1)));
});

test('a client that drops a pull halfway leaves no open file behind, and the next pull is whole', async () => {
  const repo = uniqueName();
  const blob = randomBlob(24 * 1024 * 1024);
  await client.pushBlob(repo, blob);
  const hex = blob.digest.slice('sha256:'.length);
  const openOnBlob = async () => {
    const links = await Promise.all(
      (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
    );
    return links.filter((link) => link.includes(hex)).length;
  };
  // The client reads the first chunk, then closes its connection.
  const firstChunk = await new Promise<number>((resolve, reject) => {
    const req = httpGet(
      new URL(`/v2/${repo}/blobs/${blob.digest}`, server.url),
      { headers: { authorization: adminAuthorization } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        res.once('data', (chunk: Buffer) => {
          req.destroy();
          resolve(chunk.length);
        });
      },
    );
    req.on('error', () => {});
  });
  assert.ok(firstChunk > 0 && firstChunk < blob.size);
  let open = await openOnBlob();
  for (let i = 0; i < 50 && open > 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    open = await openOnBlob();
  }
  assert.equal(open, 0);
  const whole = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(blob.bytes));
});
