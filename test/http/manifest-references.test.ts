import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import {
  OciClient,
  descriptorOf,
  encodeManifest,
  expectError,
  indexJSON,
  mediaTypes,
  rawRequest,
  uniqueName,
  type Manifest,
} from '../helpers/oci.js';

// Manifest references on /v2: what GET, HEAD and DELETE answer for a reference that is
// neither a tag nor a digest (distribution: 404 MANIFEST_UNKNOWN), that an index's child
// cannot be deleted from under it (Harbor: 412 "the deleting artifact is referenced by
// others"), and `PUT …/manifests/<digest>?tag=` (distribution spec "Pushing Manifests with tags").

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

const invalidReferences = ['.INVALID_MANIFEST_NAME', '-lead', 'x'.repeat(129), 'sha256:totallywrong', 'a%20b'];

test('GET and HEAD of a syntactically invalid reference answer 404 MANIFEST_UNKNOWN', async () => {
  const repo = uniqueName();
  await client.pushImage(repo, 'v1');
  for (const reference of invalidReferences) {
    await expectError(await client.fetch(`/v2/${repo}/manifests/${reference}`), 404, 'MANIFEST_UNKNOWN');
    const head = await rawRequest(`${server.url}/v2/${repo}/manifests/${reference}`, {
      method: 'HEAD',
      headers: { authorization: client.authorization ?? '' },
    });
    assert.equal(head.status, 404, reference);
    assert.equal(head.body.byteLength, 0);
  }
});

test('DELETE of a syntactically invalid reference answers 404 MANIFEST_UNKNOWN, as distribution does', async () => {
  const repo = uniqueName();
  await client.pushImage(repo, 'v1');
  for (const reference of invalidReferences) {
    await expectError(
      await client.fetch(`/v2/${repo}/manifests/${reference}`, { method: 'DELETE' }),
      404,
      'MANIFEST_UNKNOWN',
    );
  }
});

test('PUT under an invalid tag still answers 400 TAG_INVALID', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo);
  await expectError(await client.putManifest(repo, '.INVALID_MANIFEST_NAME', image), 400, 'TAG_INVALID');
});

/** Pushes two images and an index over them (untagged children), tagged `multi`. */
async function pushMultiArch(repo: string): Promise<{ index: Manifest; amd64: Manifest; arm64: Manifest }> {
  const amd64 = await client.pushImage(repo);
  const arm64 = await client.pushImage(repo);
  const index = encodeManifest(
    indexJSON({
      manifests: [
        descriptorOf(mediaTypes.ociManifest, amd64, { platform: { os: 'linux', architecture: 'amd64' } }),
        descriptorOf(mediaTypes.ociManifest, arm64, { platform: { os: 'linux', architecture: 'arm64' } }),
      ],
    }),
  );
  await client.pushManifest(repo, 'multi', index);
  return { index, amd64, arm64 };
}

async function expectPullable(repo: string, manifest: Manifest & { layers?: { digest: string }[] }) {
  const res = await client.fetch(`/v2/${repo}/manifests/${manifest.digest}`, {
    headers: { accept: manifest.mediaType },
  });
  assert.equal(res.status, 200, `${manifest.digest} pullable`);
  const body = JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8')) as {
    manifests?: { digest: string }[];
    layers?: { digest: string }[];
    config?: { digest: string };
  };
  for (const child of body.manifests ?? [])
    assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/${child.digest}`)).status, 200, child.digest);
  for (const blob of [...(body.layers ?? []), ...(body.config ? [body.config] : [])])
    assert.equal((await client.send('HEAD', `/v2/${repo}/blobs/${blob.digest}`)).status, 200, blob.digest);
}

test('/v2 DELETE of a manifest an index lists answers 412 VIOLATE_FOREIGN_KEY_CONSTRAINT; the index still pulls', async () => {
  const repo = uniqueName();
  const { index, amd64, arm64 } = await pushMultiArch(repo);
  const body = await expectError(
    await client.fetch(`/v2/${repo}/manifests/${amd64.digest}`, { method: 'DELETE' }),
    412,
    'VIOLATE_FOREIGN_KEY_CONSTRAINT',
  );
  assert.equal(body.errors[0].message, 'the deleting artifact is referenced by others');
  await expectPullable(repo, index);
  await expectPullable(repo, amd64);
  await expectPullable(repo, arm64);
});

test('the API DELETE of an artifact an index lists answers 412 with Harbor message; the index still pulls', async () => {
  const repo = uniqueName();
  const { index, arm64 } = await pushMultiArch(repo);
  const name = repo.slice(repo.indexOf('/') + 1);
  const res = await api<{ errors: { code: string; message: string }[] }>(
    server,
    'DELETE',
    `/projects/library/repositories/${encodeURIComponent(name)}/artifacts/${arm64.digest}`,
  );
  assert.equal(res.status, 412, JSON.stringify(res.body));
  assert.equal(res.body.errors[0].code, 'VIOLATE_FOREIGN_KEY_CONSTRAINT');
  assert.equal(res.body.errors[0].message, 'the deleting artifact is referenced by others');
  await expectPullable(repo, index);
});

test('deleting the index still removes its untagged children; a child it shares with a kept index stays', async () => {
  const repo = uniqueName();
  const { index, amd64, arm64 } = await pushMultiArch(repo);
  const other = encodeManifest(
    indexJSON({
      manifests: [descriptorOf(mediaTypes.ociManifest, amd64, { platform: { os: 'linux', architecture: 'amd64' } })],
    }),
  );
  await client.pushManifest(repo, 'other', other);
  assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/${index.digest}`)).status, 202);
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/${arm64.digest}`)).status, 404);
  await expectPullable(repo, other);
  // Now that only `other` lists amd64, amd64 is still refused, and goes with `other`.
  assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/${amd64.digest}`)).status, 412);
  assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/${other.digest}`)).status, 202);
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/${amd64.digest}`)).status, 404);
});

test('PUT by digest with ?tag= stores the manifest, points each tag at it and lists them in OCI-Tag', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo);
  const res = await client.fetch(`/v2/${repo}/manifests/${image.digest}?tag=1.2.3&tag=1.2&tag=latest`, {
    method: 'PUT',
    headers: { 'content-type': image.mediaType },
    body: image.bytes,
  });
  await res.arrayBuffer();
  assert.equal(res.status, 201);
  const applied = (res.headers.get('oci-tag') ?? '').split(',').map((t) => t.trim());
  assert.deepEqual(applied.sort(), ['1.2', '1.2.3', 'latest']);
  assert.deepEqual((await client.tags(repo)).tags.sort(), ['1.2', '1.2.3', 'latest']);
  for (const tag of applied) {
    const got = await client.send('HEAD', `/v2/${repo}/manifests/${tag}`);
    assert.equal(got.headers.get('docker-content-digest'), image.digest);
  }
});

test('PUT by digest with an invalid ?tag= answers 400 TAG_INVALID and stores nothing', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo, 'keep');
  const other = await client.pushImage(repo);
  await client.send('DELETE', `/v2/${repo}/manifests/${other.digest}`);
  const res = await client.fetch(`/v2/${repo}/manifests/${other.digest}?tag=ok&tag=.bad`, {
    method: 'PUT',
    headers: { 'content-type': other.mediaType },
    body: other.bytes,
  });
  await expectError(res, 400, 'TAG_INVALID');
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/${other.digest}`)).status, 404);
  assert.deepEqual((await client.tags(repo)).tags, ['keep']);
  assert.ok(image.digest);
});

test('PUT by digest without ?tag= sends no OCI-Tag header', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo);
  const res = await client.putManifest(repo, image.digest, image);
  await res.arrayBuffer();
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('oci-tag'), null);
});
