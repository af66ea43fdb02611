import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { OciClient, expectError, randomBlob, uniqueName, type Blob } from '../helpers/oci.js';

// Distribution spec "Mounting a blob from another repository": POST ?mount=&from= answers
// 201 when the blob can be mounted, else 202 with an ordinary upload session.

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

function mount(target: string, digest: string, from?: string): Promise<Response> {
  const query = new URLSearchParams({ mount: digest, ...(from === undefined ? {} : { from }) });
  return client.send('POST', `/v2/${target}/blobs/uploads/?${query.toString()}`);
}

async function expectBlob(repo: string, blob: Blob) {
  const res = await client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
  assert.equal(res.status, 200, `${blob.digest} in ${repo}`);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), blob.bytes);
}

/** A 202 answer must be a usable upload session: finish it with PUT and check the blob. */
async function completeSession(res: Response, repo: string, blob: Blob) {
  assert.equal(res.status, 202);
  assert.ok(res.headers.get('docker-upload-uuid'));
  const location = res.headers.get('location') ?? assert.fail('a 202 must carry the session Location');
  assert.ok(new URL(location, server.url).pathname.startsWith(`/v2/${repo}/blobs/uploads/`), location);
  const put = await client.send('PUT', `${location}?digest=${blob.digest}`, { body: blob.bytes });
  assert.equal(put.status, 201);
  await expectBlob(repo, blob);
}

test('mounting a blob the source repository has answers 201 with Location and Docker-Content-Digest', async () => {
  const source = uniqueName('source');
  const target = uniqueName('target');
  const blob = randomBlob(2048);
  await client.pushBlob(source, blob);

  const res = await mount(target, blob.digest, source);
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('docker-content-digest'), blob.digest);
  assert.equal(new URL(res.headers.get('location') ?? '', server.url).pathname, `/v2/${target}/blobs/${blob.digest}`);
  await expectBlob(target, blob);
});

test('a mounted blob belongs to the target: deleting it in the source leaves the target copy', async () => {
  const source = uniqueName('source');
  const target = uniqueName('target');
  const blob = randomBlob(500);
  await client.pushBlob(source, blob);
  assert.equal((await mount(target, blob.digest, source)).status, 201);

  assert.equal((await client.send('DELETE', `/v2/${source}/blobs/${blob.digest}`)).status, 202);
  await expectBlob(target, blob);
});

test('mounting from a repository that lacks the blob answers 202 and a working upload session', async () => {
  const source = uniqueName('source');
  const target = uniqueName('target');
  await client.pushBlob(source, randomBlob(10));
  const blob = randomBlob(1000);

  await completeSession(await mount(target, blob.digest, source), target, blob);
  // The source never gained the blob.
  assert.equal((await client.send('HEAD', `/v2/${source}/blobs/${blob.digest}`)).status, 404);
});

test('mounting from a repository that does not exist answers 202 with a session', async () => {
  const target = uniqueName('target');
  const blob = randomBlob(300);
  await completeSession(await mount(target, blob.digest, uniqueName('nowhere')), target, blob);
});

test('mounting a blob that was deleted from the source answers 202', async () => {
  const source = uniqueName('source');
  const target = uniqueName('target');
  const blob = randomBlob(300);
  await client.pushBlob(source, blob);
  assert.equal((await client.send('DELETE', `/v2/${source}/blobs/${blob.digest}`)).status, 202);
  await completeSession(await mount(target, blob.digest, source), target, blob);
});

test('mount without from answers 202 with a session (no anonymous mounts)', async () => {
  const source = uniqueName('source');
  const target = uniqueName('target');
  const blob = randomBlob(400);
  await client.pushBlob(source, blob);
  await completeSession(await mount(target, blob.digest), target, blob);
});

test('sha512 blobs mount across repositories', async () => {
  const source = uniqueName('source');
  const target = uniqueName('target');
  const blob = randomBlob(1024, 'sha512');
  await client.pushBlob(source, blob);
  const res = await mount(target, blob.digest, source);
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('docker-content-digest'), blob.digest);
  await expectBlob(target, blob);
});

test('mounting between nested repository names works', async () => {
  const source = `${uniqueName('org')}/team/app`;
  const target = `${uniqueName('org')}/other/app`;
  const blob = randomBlob(100);
  await client.pushBlob(source, blob);
  assert.equal((await mount(target, blob.digest, source)).status, 201);
  await expectBlob(target, blob);
});

test('a malformed mount digest answers 400 DIGEST_INVALID', async () => {
  const source = uniqueName('source');
  const target = uniqueName('target');
  await client.pushBlob(source, randomBlob(10));
  await expectError(
    await client.fetch(`/v2/${target}/blobs/uploads/?mount=sha256:xyz&from=${source}`, { method: 'POST' }),
    400,
    'DIGEST_INVALID',
  );
});

test('an invalid from name never mounts: 202 with a session, as for any other unmountable source', async () => {
  const target = uniqueName('target');
  const blob = randomBlob(100);
  const res = await mount(target, blob.digest, '../Bad Name');
  assert.equal((await client.send('HEAD', `/v2/${target}/blobs/${blob.digest}`)).status, 404);
  await completeSession(res, target, blob);
});
