import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
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

// Distribution spec "Pulling manifests": the client lists the media types it accepts; the
// registry answers with the manifest only in a format the client accepts, with that
// format as Content-Type.

let server: TestBerth;
let client: OciClient;
let repo: string;
let ociImage: Manifest;
let dockerImage: Manifest;
let ociIndex: Manifest;
let dockerList: Manifest;

before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
  repo = uniqueName();
  ociImage = await client.pushImage(repo, 'oci-image');
  dockerImage = await client.pushImage(repo, 'docker-image', { mediaType: mediaTypes.dockerManifest });
  ociIndex = encodeManifest(
    indexJSON({
      manifests: [descriptorOf(mediaTypes.ociManifest, ociImage, { platform: { os: 'linux', architecture: 'amd64' } })],
    }),
  );
  await client.pushManifest(repo, 'oci-index', ociIndex);
  dockerList = encodeManifest(
    indexJSON({
      mediaType: mediaTypes.dockerManifestList,
      manifests: [
        descriptorOf(mediaTypes.dockerManifest, dockerImage, { platform: { os: 'linux', architecture: 'amd64' } }),
      ],
    }),
  );
  await client.pushManifest(repo, 'docker-list', dockerList);
});
after(() => server.close());

async function get(reference: string, accept: string | undefined, method = 'GET') {
  return rawRequest(`${server.url}/v2/${repo}/manifests/${reference}`, {
    method,
    headers: accept === undefined ? {} : { accept },
  });
}

function expectServed(res: Awaited<ReturnType<typeof get>>, manifest: Manifest, method = 'GET') {
  assert.equal(res.status, 200, res.body.toString());
  assert.equal(res.headers['content-type'], manifest.mediaType);
  assert.equal(res.headers['docker-content-digest'], manifest.digest);
  if (method === 'GET') assert.deepEqual(res.body, manifest.bytes);
}

const all = () =>
  [
    ['oci-image', ociImage],
    ['docker-image', dockerImage],
    ['oci-index', ociIndex],
    ['docker-list', dockerList],
  ] as const;

test('an Accept naming exactly the stored media type gets the manifest with that Content-Type', async () => {
  for (const [tag, manifest] of all()) {
    expectServed(await get(tag, manifest.mediaType), manifest);
    expectServed(await get(manifest.digest, manifest.mediaType), manifest);
  }
});

test('an Accept listing several media types (one header, comma separated, with parameters) is honoured', async () => {
  const accept = `${mediaTypes.dockerManifest};q=0.5, ${mediaTypes.dockerManifestList}, ${mediaTypes.ociIndex}; q=0.9, ${mediaTypes.ociManifest}`;
  for (const [tag, manifest] of all()) expectServed(await get(tag, accept), manifest);
});

test('several Accept headers are combined', async () => {
  for (const [tag, manifest] of all()) {
    const res = await client.fetch(`/v2/${repo}/manifests/${tag}`, {
      headers: [
        ['accept', mediaTypes.ociIndex],
        ['accept', mediaTypes.ociManifest],
        ['accept', mediaTypes.dockerManifest],
        ['accept', mediaTypes.dockerManifestList],
      ],
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), manifest.mediaType);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), manifest.bytes);
  }
});

test('without an Accept header, or with */* or application/json, any stored format is served', async () => {
  for (const accept of [undefined, '*/*', 'application/json']) {
    for (const [tag, manifest] of all()) expectServed(await get(tag, accept), manifest);
  }
});

test('a manifest in a format the client does not accept answers 404 MANIFEST_UNKNOWN', async () => {
  const cases: [string, string][] = [
    ['oci-image', mediaTypes.dockerManifest],
    ['docker-image', mediaTypes.ociManifest],
    ['oci-index', mediaTypes.ociManifest],
    [dockerList.digest, `${mediaTypes.dockerManifest}, ${mediaTypes.ociManifest}`],
    ['oci-image', mediaTypes.ociIndex],
  ];
  for (const [tag, accept] of cases) {
    const res = await client.fetch(`/v2/${repo}/manifests/${tag}`, { headers: { accept } });
    await expectError(res, 404, 'MANIFEST_UNKNOWN');
  }
});

test('HEAD follows the same negotiation as GET', async () => {
  for (const [tag, manifest] of all()) {
    const ok = await get(tag, manifest.mediaType, 'HEAD');
    expectServed(ok, manifest, 'HEAD');
    assert.equal(ok.headers['content-length'], String(manifest.bytes.byteLength));
    assert.equal(ok.body.byteLength, 0);
  }
  const refused = await get('oci-index', mediaTypes.ociManifest, 'HEAD');
  assert.equal(refused.status, 404);
  assert.equal(refused.body.byteLength, 0);
});

test('the Accept header does not change the digest: the bytes served are always the bytes pushed', async () => {
  const a = await get(ociImage.digest, mediaTypes.ociManifest);
  const b = await get(ociImage.digest, '*/*');
  const c = await get('oci-image', undefined);
  assert.deepEqual(a.body, b.body);
  assert.deepEqual(b.body, c.body);
  assert.equal(a.headers['docker-content-digest'], ociImage.digest);
});

test('unknown media types alongside a known one do not hide the known one', async () => {
  expectServed(await get('oci-image', `application/vnd.example.unknown+json, ${mediaTypes.ociManifest}`), ociImage);
  expectServed(await get('docker-list', `text/html, ${mediaTypes.dockerManifestList}`), dockerList);
});

test('an Accept of application/* alone takes any manifest format', async () => {
  for (const [tag, manifest] of all()) expectServed(await get(tag, 'application/*'), manifest);
});

test('a Docker manifest list pulled by tag without list types in Accept serves its linux/amd64 image', async () => {
  for (const method of ['GET', 'HEAD']) {
    const res = await get('docker-list', `${mediaTypes.dockerManifest}, ${mediaTypes.ociManifest}`, method);
    expectServed(res, dockerImage, method);
  }
});

test('a Docker manifest list without a linux/amd64 entry answers 404 MANIFEST_UNKNOWN to such a client', async () => {
  const arm = encodeManifest(
    indexJSON({
      mediaType: mediaTypes.dockerManifestList,
      manifests: [
        descriptorOf(mediaTypes.dockerManifest, dockerImage, { platform: { os: 'linux', architecture: 'arm64' } }),
      ],
    }),
  );
  await client.pushManifest(repo, 'arm-only', arm);
  const res = await client.fetch(`/v2/${repo}/manifests/arm-only`, { headers: { accept: mediaTypes.dockerManifest } });
  await expectError(res, 404, 'MANIFEST_UNKNOWN');
});

test('the fallback needs the image in an accepted format, and does not apply by digest or to an OCI index', async () => {
  const ociOnly = await client.fetch(`/v2/${repo}/manifests/docker-list`, {
    headers: { accept: mediaTypes.ociManifest },
  });
  await expectError(ociOnly, 400, 'MANIFEST_INVALID');
  const byDigest = await client.fetch(`/v2/${repo}/manifests/${dockerList.digest}`, {
    headers: { accept: mediaTypes.dockerManifest },
  });
  await expectError(byDigest, 404, 'MANIFEST_UNKNOWN');
  const index = await client.fetch(`/v2/${repo}/manifests/oci-index`, { headers: { accept: mediaTypes.ociManifest } });
  const body = await expectError(index, 404, 'MANIFEST_UNKNOWN');
  assert.match(body.errors[0].message, /OCI index found, but accept header does not support OCI indexes/);
});
