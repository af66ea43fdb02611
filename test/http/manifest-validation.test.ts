import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import {
  OciClient,
  configBlob,
  descriptorOf,
  digestOf,
  encodeManifest,
  expectError,
  imageManifestJSON,
  indexJSON,
  mediaTypes,
  randomBlob,
  uniqueName,
  type Manifest,
} from '../helpers/oci.js';

// What a registry must refuse on manifest PUT (distribution spec "Pushing manifests",
// "Error codes"), and that a refused manifest leaves nothing behind.

const fourMiB = 4 * 1024 * 1024;

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

function putRaw(
  repo: string,
  reference: string,
  body: string | Buffer,
  contentType: string = mediaTypes.ociManifest,
): Promise<Response> {
  return client.fetch(`/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body,
  });
}

/** The refused manifest must be invisible by digest and by tag. */
async function expectNotStored(repo: string, tag: string, digest: string) {
  assert.equal(
    (await client.send('HEAD', `/v2/${repo}/manifests/${digest}`)).status,
    404,
    `${digest} must not be stored`,
  );
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/${tag}`)).status, 404, `tag ${tag} must not exist`);
}

/** A repository holding a config and a layer, and an image manifest built from them. */
async function imageWith(repo: string, options: { config?: boolean; layer?: boolean } = {}): Promise<Manifest> {
  const config = configBlob();
  const layer = randomBlob(500);
  if (options.config !== false) await client.pushBlob(repo, config);
  if (options.layer !== false) await client.pushBlob(repo, layer);
  return encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: [descriptorOf(mediaTypes.ociLayer, layer)],
    }),
  );
}

test('a manifest whose config blob is missing answers 400 MANIFEST_BLOB_UNKNOWN', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo, { config: false });
  await expectError(await client.putManifest(repo, 'v1', manifest), 400, 'MANIFEST_BLOB_UNKNOWN');
  await expectNotStored(repo, 'v1', manifest.digest);
});

test('a manifest whose layer is missing answers 400 MANIFEST_BLOB_UNKNOWN', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo, { layer: false });
  await expectError(await client.putManifest(repo, 'v1', manifest), 400, 'MANIFEST_BLOB_UNKNOWN');
  await expectNotStored(repo, 'v1', manifest.digest);
});

test('a Docker schema2 manifest whose layer is missing answers 400 MANIFEST_BLOB_UNKNOWN', async () => {
  const repo = uniqueName();
  const config = configBlob();
  await client.pushBlob(repo, config);
  const manifest = encodeManifest(
    imageManifestJSON({
      mediaType: mediaTypes.dockerManifest,
      config: descriptorOf(mediaTypes.dockerConfig, config),
      layers: [descriptorOf(mediaTypes.dockerLayer, randomBlob(10))],
    }),
  );
  await expectError(await client.putManifest(repo, 'v1', manifest), 400, 'MANIFEST_BLOB_UNKNOWN');
  await expectNotStored(repo, 'v1', manifest.digest);
});

test('blobs must be in the same repository: a blob pushed elsewhere does not count', async () => {
  const repo = uniqueName();
  const elsewhere = uniqueName('elsewhere');
  const config = configBlob();
  const layer = randomBlob(100);
  await client.pushBlobs(elsewhere, config, layer);
  const manifest = encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: [descriptorOf(mediaTypes.ociLayer, layer)],
    }),
  );
  await expectError(await client.putManifest(repo, 'v1', manifest), 400, 'MANIFEST_BLOB_UNKNOWN');
  await expectNotStored(repo, 'v1', manifest.digest);
});

test('a blob deleted before the manifest push no longer satisfies it', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  const layer = (manifest.json.layers as { digest: string }[])[0].digest;
  assert.equal((await client.send('DELETE', `/v2/${repo}/blobs/${layer}`)).status, 202);
  await expectError(await client.putManifest(repo, 'v1', manifest), 400, 'MANIFEST_BLOB_UNKNOWN');
});

for (const [kind, indexType, childType] of [
  ['OCI image index', mediaTypes.ociIndex, mediaTypes.ociManifest],
  ['Docker manifest list', mediaTypes.dockerManifestList, mediaTypes.dockerManifest],
] as const) {
  test(`a ${kind} naming a child manifest that is not in the repository answers 400 MANIFEST_BLOB_UNKNOWN`, async () => {
    const repo = uniqueName();
    const present = await client.pushImage(repo, undefined, { mediaType: childType });
    const absent = encodeManifest(
      imageManifestJSON({ mediaType: childType, config: descriptorOf(mediaTypes.ociConfig, configBlob()), layers: [] }),
    );
    const index = encodeManifest(
      indexJSON({
        mediaType: indexType,
        manifests: [
          descriptorOf(childType, present, { platform: { os: 'linux', architecture: 'amd64' } }),
          descriptorOf(childType, absent, { platform: { os: 'linux', architecture: 'arm64' } }),
        ],
      }),
    );
    const body = await expectError(await client.putManifest(repo, 'multi', index), 400, 'MANIFEST_BLOB_UNKNOWN');
    assert.ok(JSON.stringify(body.errors[0]).includes(absent.digest), 'the error names the missing child');
    await expectNotStored(repo, 'multi', index.digest);
  });
}

test('an index child in another repository does not count', async () => {
  const repo = uniqueName();
  const elsewhere = uniqueName('elsewhere');
  const child = await client.pushImage(elsewhere);
  const index = encodeManifest(indexJSON({ manifests: [descriptorOf(mediaTypes.ociManifest, child)] }));
  await expectError(await client.putManifest(repo, 'multi', index), 400, 'MANIFEST_BLOB_UNKNOWN');
});

test('a body that is not JSON answers 400 MANIFEST_INVALID', async () => {
  const repo = uniqueName();
  for (const body of ['not json', '{"schemaVersion": 2,', '', '\u0000\u0001']) {
    await expectError(await putRaw(repo, 'bad', body), 400, 'MANIFEST_INVALID');
  }
  await expectNotStored(repo, 'bad', digestOf(Buffer.from('not json')));
});

test('JSON that is not an object answers 400 MANIFEST_INVALID', async () => {
  const repo = uniqueName();
  for (const body of ['[]', '"manifest"', '42', 'null']) {
    await expectError(await putRaw(repo, 'bad', body), 400, 'MANIFEST_INVALID');
  }
});

test('a schemaVersion other than 2 answers 400 MANIFEST_INVALID', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  for (const schemaVersion of [1, 3, '2', null, undefined]) {
    const json = { ...manifest.json, schemaVersion };
    const bytes = JSON.stringify(json);
    await expectError(await putRaw(repo, 'bad', bytes), 400, 'MANIFEST_INVALID');
    await expectNotStored(repo, 'bad', digestOf(Buffer.from(bytes)));
  }
});

test('Docker schema1 manifests are refused with MANIFEST_INVALID', async () => {
  const repo = uniqueName();
  const schema1 = JSON.stringify({
    schemaVersion: 1,
    name: repo,
    tag: 'v1',
    architecture: 'amd64',
    fsLayers: [],
    history: [],
  });
  await expectError(
    await putRaw(repo, 'v1', schema1, 'application/vnd.docker.distribution.manifest.v1+prettyjws'),
    400,
    'MANIFEST_INVALID',
  );
});

test('a mediaType field that contradicts the Content-Type answers 400 MANIFEST_INVALID', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  await expectError(await client.putManifest(repo, 'v1', manifest, mediaTypes.dockerManifest), 400, 'MANIFEST_INVALID');
  await expectNotStored(repo, 'v1', manifest.digest);
});

test('malformed descriptors answer 400 MANIFEST_INVALID', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  const config = manifest.json.config as Record<string, unknown>;
  const variants: Record<string, unknown>[] = [
    { ...manifest.json, config: { ...config, digest: 'sha256:nothex' } },
    { ...manifest.json, config: { ...config, size: -1 } },
    { ...manifest.json, config: { ...config, size: '12' } },
    { ...manifest.json, config: { ...config, mediaType: 7 } },
    // RFC 6838 caps a media type at 127 + 1 + 127 characters (the database columns rely on it).
    { ...manifest.json, config: { ...config, mediaType: `application/${'x'.repeat(250)}` } },
    { ...manifest.json, artifactType: `application/${'x'.repeat(250)}` },
    { ...manifest.json, artifactType: 7 },
    { ...manifest.json, config: 'config' },
    { ...manifest.json, layers: {} },
    { ...manifest.json, layers: [null] },
    { ...manifest.json, annotations: { key: 1 } },
    { schemaVersion: 2, mediaType: mediaTypes.ociManifest, layers: [] },
    {
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: [{ mediaType: mediaTypes.ociManifest, digest: 'nope', size: 1 }],
    },
    { schemaVersion: 2, mediaType: mediaTypes.ociIndex },
  ];
  for (const json of variants) {
    const contentType = (json.mediaType as string | undefined) ?? mediaTypes.ociManifest;
    await expectError(await putRaw(repo, 'bad', JSON.stringify(json), contentType), 400, 'MANIFEST_INVALID');
  }
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/bad`)).status, 404);
});

test('a subject that is not a descriptor answers 400 MANIFEST_INVALID', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  for (const subject of [
    'sha256:abc',
    { mediaType: mediaTypes.ociManifest, digest: 'nope', size: 1 },
    { digest: randomBlob(1).digest, size: 1 },
  ]) {
    await expectError(
      await putRaw(repo, 'bad', JSON.stringify({ ...manifest.json, subject })),
      400,
      'MANIFEST_INVALID',
    );
  }
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/bad`)).status, 404);
});

test('PUT by a digest that does not match the body answers 400 DIGEST_INVALID and stores nothing', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  const other = await imageWith(repo);
  await expectError(await client.putManifest(repo, other.digest, manifest), 400, 'DIGEST_INVALID');
  await expectNotStored(repo, 'latest', manifest.digest);
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/${other.digest}`)).status, 404);
});

test('PUT by digest with extra whitespace after the JSON changes the digest: DIGEST_INVALID', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  const padded = Buffer.concat([manifest.bytes, Buffer.from('  ')]);
  await expectError(await putRaw(repo, manifest.digest, padded), 400, 'DIGEST_INVALID');
  await expectNotStored(repo, 'latest', manifest.digest);
});

test('PUT by a malformed digest answers 400 with a spec error code', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  await expectError(await putRaw(repo, 'sha256:totallywrong', manifest.bytes), 400, 'DIGEST_INVALID');
});

test('PUT under an invalid tag answers 400 TAG_INVALID', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  for (const tag of ['-leading-dash', '.dot', 'a'.repeat(129), 'has%20space']) {
    await expectError(await client.putManifest(repo, tag, manifest), 400, 'TAG_INVALID');
  }
  assert.deepEqual((await client.tags(repo)).tags, []);
});

test('the longest valid tag (128 characters) is accepted', async () => {
  const repo = uniqueName();
  const manifest = await imageWith(repo);
  const tag = `A_${'b'.repeat(126)}`;
  await client.pushManifest(repo, tag, manifest);
  assert.deepEqual((await client.tags(repo)).tags, [tag]);
});

/** An image manifest padded with an annotation to exactly `size` bytes. */
function manifestOfSize(base: Manifest, size: number): Manifest {
  const json = { ...base.json, annotations: { pad: '' } };
  const overhead = Buffer.byteLength(JSON.stringify(json));
  const padded = { ...base.json, annotations: { pad: 'x'.repeat(size - overhead) } };
  const manifest = encodeManifest(padded);
  assert.equal(manifest.bytes.byteLength, size);
  return manifest;
}

test('a manifest of exactly 4 MiB is accepted and returned intact', async () => {
  const repo = uniqueName();
  const manifest = manifestOfSize(await imageWith(repo), fourMiB);
  await client.pushManifest(repo, 'big', manifest);
  const res = await client.fetch(`/v2/${repo}/manifests/big`, { headers: { accept: mediaTypes.ociManifest } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('docker-content-digest'), manifest.digest);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), manifest.bytes);
});

test('a manifest over 4 MiB answers 413 with a spec error and is not stored', async () => {
  const repo = uniqueName();
  const manifest = manifestOfSize(await imageWith(repo), fourMiB + 1);
  const res = await client.putManifest(repo, 'huge', manifest);
  const text = await res.text();
  assert.equal(res.status, 413, text);
  const body = JSON.parse(text) as { errors: { code: string }[] };
  assert.ok(['SIZE_INVALID', 'MANIFEST_INVALID'].includes(body.errors[0].code), text);
  await expectNotStored(repo, 'huge', manifest.digest);
});

test('a streamed manifest over 4 MiB (no Content-Length) answers 413 too', async () => {
  const repo = uniqueName();
  const manifest = manifestOfSize(await imageWith(repo), fourMiB + 1000);
  const half = manifest.bytes.byteLength >> 1;
  const res = await client.fetch(`/v2/${repo}/manifests/huge`, {
    method: 'PUT',
    headers: { 'content-type': mediaTypes.ociManifest },
    body: new ReadableStream({
      start(controller) {
        controller.enqueue(manifest.bytes.subarray(0, half));
        controller.enqueue(manifest.bytes.subarray(half));
        controller.close();
      },
    }),
    duplex: 'half',
  });
  await res.arrayBuffer();
  assert.equal(res.status, 413);
  await expectNotStored(repo, 'huge', manifest.digest);
});

test('after refusals the registry still serves the repository (no half-written state)', async () => {
  const repo = uniqueName();
  const good = await client.pushImage(repo, 'good');
  await expectError(await putRaw(repo, 'good', 'garbage'), 400, 'MANIFEST_INVALID');
  const res = await client.fetch(`/v2/${repo}/manifests/good`, { headers: { accept: mediaTypes.ociManifest } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('docker-content-digest'), good.digest);
  await res.arrayBuffer();
});

test('deeply nested JSON in a platform or an unknown field is stored as pushed, never a 500', async () => {
  const repo = uniqueName();
  const child = await client.pushImage(repo);
  const depth = 100_000;
  const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const descriptor = JSON.stringify(descriptorOf(mediaTypes.ociManifest, child));
  for (const [tag, body] of [
    [
      'deep-platform',
      `{"schemaVersion":2,"mediaType":"${mediaTypes.ociIndex}","manifests":[${descriptor.slice(0, -1)},"platform":{"os":"linux","architecture":"amd64","x":${deep}}}]}`,
    ],
    [
      'deep-field',
      `{"schemaVersion":2,"mediaType":"${mediaTypes.ociIndex}","manifests":[${descriptor}],"x-extension":${deep}}`,
    ],
  ]) {
    const res = await putRaw(repo, tag, body, mediaTypes.ociIndex);
    assert.equal(res.status, 201, await res.text());
    const got = await client.fetch(`/v2/${repo}/manifests/${tag}`, { headers: { accept: mediaTypes.ociIndex } });
    assert.equal(got.status, 200);
    assert.equal(Buffer.from(await got.arrayBuffer()).toString(), body);
  }
});
