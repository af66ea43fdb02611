import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import {
  OciClient,
  configBlob,
  descriptorOf,
  emptyJSON,
  encodeManifest,
  expectError,
  imageManifestJSON,
  indexJSON,
  mediaTypes,
  randomBlob,
  rawRequest,
  uniqueName,
  type Manifest,
} from '../helpers/oci.js';

// Distribution spec "Pushing manifests", "Pulling manifests", "Deleting manifests": PUT /
// GET / HEAD / DELETE by tag and by digest, for every manifest format Berth accepts.

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

// Odd but valid JSON formatting: a registry that re-serialises would change the digest.
const oddFormatting = { indent: '\t \t', trailer: '\n\n  ' };

type Kind = 'Docker schema2' | 'Docker manifest list' | 'OCI image manifest' | 'OCI image index' | 'OCI artifact';
const kinds: Kind[] = [
  'Docker schema2',
  'Docker manifest list',
  'OCI image manifest',
  'OCI image index',
  'OCI artifact',
];

/** Pushes what a manifest of `kind` refers to, and returns the manifest (not yet pushed). */
async function prepare(kind: Kind, repo: string): Promise<Manifest> {
  switch (kind) {
    case 'Docker schema2': {
      const config = configBlob();
      const layer = randomBlob(2000);
      await client.pushBlobs(repo, config, layer);
      return encodeManifest(
        imageManifestJSON({
          mediaType: mediaTypes.dockerManifest,
          config: descriptorOf(mediaTypes.dockerConfig, config),
          layers: [descriptorOf(mediaTypes.dockerLayer, layer)],
        }),
        oddFormatting,
      );
    }
    case 'OCI image manifest': {
      const config = configBlob();
      const layers = [randomBlob(1000), randomBlob(1500)];
      await client.pushBlobs(repo, config, ...layers);
      return encodeManifest(
        imageManifestJSON({
          config: descriptorOf(mediaTypes.ociConfig, config),
          layers: layers.map((l) => descriptorOf(mediaTypes.ociLayer, l)),
          annotations: { 'org.opencontainers.image.title': 'test' },
        }),
        oddFormatting,
      );
    }
    case 'OCI artifact': {
      const layer = randomBlob(300);
      await client.pushBlobs(repo, emptyJSON, layer);
      return encodeManifest(
        imageManifestJSON({
          artifactType: 'application/vnd.example.sbom.v1+json',
          config: descriptorOf(mediaTypes.ociEmpty, emptyJSON),
          layers: [descriptorOf('application/vnd.example.sbom.v1+json', layer)],
        }),
        oddFormatting,
      );
    }
    case 'Docker manifest list':
    case 'OCI image index': {
      const docker = kind === 'Docker manifest list';
      const childType = docker ? mediaTypes.dockerManifest : mediaTypes.ociManifest;
      const children = [];
      for (const architecture of ['amd64', 'arm64']) {
        const child = await client.pushImage(repo, undefined, { mediaType: childType });
        children.push(descriptorOf(childType, child, { platform: { os: 'linux', architecture } }));
      }
      return encodeManifest(
        indexJSON({ mediaType: docker ? mediaTypes.dockerManifestList : mediaTypes.ociIndex, manifests: children }),
        oddFormatting,
      );
    }
  }
}

async function expectManifest(repo: string, reference: string, manifest: Manifest) {
  const res = await client.fetch(`/v2/${repo}/manifests/${reference}`, { headers: { accept: manifest.mediaType } });
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, `GET ${repo}:${reference}: ${body.toString()}`);
  assert.equal(res.headers.get('content-type'), manifest.mediaType);
  assert.equal(res.headers.get('docker-content-digest'), manifest.digest);
  assert.equal(res.headers.get('content-length'), String(manifest.bytes.byteLength));
  assert.deepEqual(body, manifest.bytes, 'the bytes exactly as pushed');
}

async function expectNoManifest(repo: string, reference: string) {
  await expectError(await client.fetch(`/v2/${repo}/manifests/${reference}`), 404, 'MANIFEST_UNKNOWN');
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/${reference}`)).status, 404);
}

for (const kind of kinds) {
  test(`${kind}: PUT by tag answers 201 with Location and Docker-Content-Digest`, async () => {
    const repo = uniqueName();
    const manifest = await prepare(kind, repo);
    const res = await client.putManifest(repo, 'v1', manifest);
    await res.arrayBuffer();
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('docker-content-digest'), manifest.digest);
    const location = res.headers.get('location') ?? assert.fail('Location');
    // The Location serves the manifest just pushed.
    const fetched = await client.fetch(location, { headers: { accept: manifest.mediaType } });
    assert.equal(fetched.status, 200);
    assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), manifest.bytes);
  });

  test(`${kind}: GET by tag and by digest returns the bytes exactly as pushed`, async () => {
    const repo = uniqueName();
    const manifest = await prepare(kind, repo);
    await client.pushManifest(repo, 'latest', manifest);
    await expectManifest(repo, 'latest', manifest);
    await expectManifest(repo, manifest.digest, manifest);
  });

  test(`${kind}: HEAD by tag and by digest answers the GET headers without a body`, async () => {
    const repo = uniqueName();
    const manifest = await prepare(kind, repo);
    await client.pushManifest(repo, 'latest', manifest);
    for (const reference of ['latest', manifest.digest]) {
      const res = await rawRequest(`${server.url}/v2/${repo}/manifests/${reference}`, {
        method: 'HEAD',
        headers: { accept: manifest.mediaType },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], manifest.mediaType);
      assert.equal(res.headers['docker-content-digest'], manifest.digest);
      assert.equal(res.headers['content-length'], String(manifest.bytes.byteLength));
      assert.equal(res.body.byteLength, 0);
    }
  });

  test(`${kind}: PUT by digest stores it without a tag`, async () => {
    const repo = uniqueName();
    const manifest = await prepare(kind, repo);
    const res = await client.pushManifest(repo, manifest.digest, manifest);
    assert.equal(res.headers.get('docker-content-digest'), manifest.digest);
    await expectManifest(repo, manifest.digest, manifest);
    const { tags } = await client.tags(repo);
    assert.deepEqual(tags, []);
  });

  test(`${kind}: DELETE by tag answers 202 and removes only that tag`, async () => {
    const repo = uniqueName();
    const manifest = await prepare(kind, repo);
    await client.pushManifest(repo, 'gone', manifest);
    await client.pushManifest(repo, 'kept', manifest);
    await expectManifest(repo, 'gone', manifest);
    assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/gone`)).status, 202);
    await expectNoManifest(repo, 'gone');
    await expectManifest(repo, 'kept', manifest);
    await expectManifest(repo, manifest.digest, manifest);
    assert.deepEqual((await client.tags(repo)).tags, ['kept']);
  });

  test(`${kind}: DELETE by digest answers 202, then neither digest nor tags resolve`, async () => {
    const repo = uniqueName();
    const manifest = await prepare(kind, repo);
    await client.pushManifest(repo, 'a', manifest);
    await client.pushManifest(repo, 'b', manifest);
    // Read it first, so a cached copy would show if DELETE forgot it.
    await expectManifest(repo, manifest.digest, manifest);
    await expectManifest(repo, 'a', manifest);
    const res = await client.send('DELETE', `/v2/${repo}/manifests/${manifest.digest}`);
    assert.equal(res.status, 202);
    await expectNoManifest(repo, manifest.digest);
    await expectNoManifest(repo, 'a');
    await expectNoManifest(repo, 'b');
    const { tags } = await client.tags(repo);
    assert.deepEqual(tags, []);
    await expectError(
      await client.fetch(`/v2/${repo}/manifests/${manifest.digest}`, { method: 'DELETE' }),
      404,
      'MANIFEST_UNKNOWN',
    );
  });
}

test('DELETE by tag removes only that tag: the digest and other tags still resolve', async () => {
  const repo = uniqueName();
  const manifest = await client.pushImage(repo, 'one');
  await client.pushManifest(repo, 'two', manifest);

  const res = await client.send('DELETE', `/v2/${repo}/manifests/one`);
  assert.equal(res.status, 202);
  await expectNoManifest(repo, 'one');
  await expectManifest(repo, 'two', manifest);
  await expectManifest(repo, manifest.digest, manifest);
  assert.deepEqual((await client.tags(repo)).tags, ['two']);

  assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/two`)).status, 202);
  await expectManifest(repo, manifest.digest, manifest);
  await expectError(await client.fetch(`/v2/${repo}/manifests/two`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
});

test('pushing another manifest under an existing tag moves the tag; the old digest stays', async () => {
  const repo = uniqueName();
  const first = await client.pushImage(repo, 'latest');
  const second = await client.pushImage(repo, 'latest');
  await expectManifest(repo, 'latest', second);
  await expectManifest(repo, first.digest, first);
  assert.deepEqual((await client.tags(repo)).tags, ['latest']);
});

test('pushing the same manifest twice is idempotent', async () => {
  const repo = uniqueName();
  const manifest = await client.pushImage(repo, 'x');
  const again = await client.pushManifest(repo, 'x', manifest);
  assert.equal(again.headers.get('docker-content-digest'), manifest.digest);
  await expectManifest(repo, 'x', manifest);
});

test('a manifest pushed by a sha512 digest is stored and served under it', async () => {
  const repo = uniqueName();
  const config = configBlob();
  const layer = randomBlob(100);
  await client.pushBlobs(repo, config, layer);
  const manifest = encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: [descriptorOf(mediaTypes.ociLayer, layer)],
    }),
    { algorithm: 'sha512' },
  );
  assert.match(manifest.digest, /^sha512:/);
  const res = await client.pushManifest(repo, manifest.digest, manifest);
  assert.equal(res.headers.get('docker-content-digest'), manifest.digest);
  await expectManifest(repo, manifest.digest, manifest);
  assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/${manifest.digest}`)).status, 202);
  await expectNoManifest(repo, manifest.digest);
});

test('an image manifest may use sha512 blobs', async () => {
  const repo = uniqueName();
  const config = randomBlob(200, 'sha512');
  const layer = randomBlob(200, 'sha512');
  await client.pushBlobs(repo, config, layer);
  const manifest = encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: [descriptorOf(mediaTypes.ociLayer, layer)],
    }),
  );
  await client.pushManifest(repo, 'sha512-blobs', manifest);
  await expectManifest(repo, 'sha512-blobs', manifest);
});

test('an artifact without layers, with only the empty config, is accepted', async () => {
  const repo = uniqueName();
  await client.pushBlob(repo, emptyJSON);
  const manifest = encodeManifest(
    imageManifestJSON({
      artifactType: 'application/vnd.example.empty+json',
      config: descriptorOf(mediaTypes.ociEmpty, emptyJSON),
      layers: [descriptorOf(mediaTypes.ociEmpty, emptyJSON)],
    }),
  );
  assert.equal(emptyJSON.digest, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  await client.pushManifest(repo, 'empty', manifest);
  await expectManifest(repo, 'empty', manifest);
});

test('an image manifest with an empty layer list is accepted', async () => {
  const repo = uniqueName();
  const config = configBlob();
  await client.pushBlob(repo, config);
  const manifest = encodeManifest(
    imageManifestJSON({ config: descriptorOf(mediaTypes.ociConfig, config), layers: [] }),
  );
  await client.pushManifest(repo, 'no-layers', manifest);
  await expectManifest(repo, 'no-layers', manifest);
});

test('an empty index is accepted', async () => {
  const repo = uniqueName();
  const manifest = encodeManifest(indexJSON({ manifests: [] }));
  await client.pushManifest(repo, 'empty-index', manifest);
  await expectManifest(repo, 'empty-index', manifest);
});

test('an index may list another index', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo);
  const inner = encodeManifest(indexJSON({ manifests: [descriptorOf(mediaTypes.ociManifest, image)] }));
  await client.pushManifest(repo, inner.digest, inner);
  const outer = encodeManifest(indexJSON({ manifests: [descriptorOf(mediaTypes.ociIndex, inner)] }));
  await client.pushManifest(repo, 'nested', outer);
  await expectManifest(repo, 'nested', outer);
});

test('non-distributable layers with urls need not be pushed', async () => {
  const repo = uniqueName();
  const config = configBlob();
  const layer = randomBlob(100);
  await client.pushBlobs(repo, config, layer);
  const foreign = randomBlob(100);
  const manifest = encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: [
        descriptorOf('application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', foreign, {
          urls: [`https://example.com/${foreign.digest}`],
        }),
        descriptorOf(mediaTypes.ociLayer, layer),
      ],
    }),
  );
  await client.pushManifest(repo, 'foreign', manifest);
  await expectManifest(repo, 'foreign', manifest);
});

test('a manifest pushed without Content-Type is typed from its mediaType field', async () => {
  const repo = uniqueName();
  const config = configBlob();
  await client.pushBlob(repo, config);
  const manifest = encodeManifest(
    imageManifestJSON({ config: descriptorOf(mediaTypes.ociConfig, config), layers: [] }),
  );
  const res = await client.putManifest(repo, 'untyped', manifest, null);
  await res.arrayBuffer();
  assert.equal(res.status, 201);
  await expectManifest(repo, 'untyped', manifest);
});

test('a manifest in one repository is unknown to another', async () => {
  const repo = uniqueName();
  const other = uniqueName();
  const manifest = await client.pushImage(repo, 'latest');
  await client.pushImage(other, 'latest');
  await expectError(await client.fetch(`/v2/${other}/manifests/${manifest.digest}`), 404, 'MANIFEST_UNKNOWN');
});

test('GET and HEAD of unknown tags and digests answer 404 MANIFEST_UNKNOWN', async () => {
  const repo = uniqueName();
  await client.pushImage(repo, 'present');
  await expectNoManifest(repo, 'absent');
  await expectNoManifest(repo, randomBlob(10).digest);
  await expectNoManifest(uniqueName('nowhere'), 'latest');
  const head = await rawRequest(`${server.url}/v2/${repo}/manifests/absent`, { method: 'HEAD' });
  assert.equal(head.status, 404);
  assert.equal(head.body.byteLength, 0);
});

test('a blob referenced by a manifest can still be fetched by its digest', async () => {
  const repo = uniqueName();
  const manifest = await client.pushImage(repo, 'latest');
  const res = await client.fetch(`/v2/${repo}/blobs/${manifest.config.digest}`);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), manifest.config.bytes);
});

test('deleting an index by digest keeps children that are tagged or listed by another index', async () => {
  const repo = uniqueName();
  const shared = await client.pushImage(repo);
  const tagged = await client.pushImage(repo, 'tagged');
  const first = encodeManifest(
    indexJSON({
      manifests: [descriptorOf(mediaTypes.ociManifest, shared), descriptorOf(mediaTypes.ociManifest, tagged)],
    }),
  );
  const second = encodeManifest(indexJSON({ manifests: [descriptorOf(mediaTypes.ociManifest, shared)] }));
  await client.pushManifest(repo, 'first', first);
  await client.pushManifest(repo, 'second', second);

  assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/${first.digest}`)).status, 202);
  await expectNoManifest(repo, first.digest);
  await expectManifest(repo, shared.digest, shared);
  await expectManifest(repo, 'tagged', tagged);
  await expectManifest(repo, 'second', second);
});

test('the same manifest pushed concurrently under many tags lands once, with every tag', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo);
  const tags = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  const results = await Promise.all(tags.map((tag) => client.putManifest(repo, tag, image)));
  for (const res of results) {
    await res.arrayBuffer();
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('docker-content-digest'), image.digest);
  }
  assert.deepEqual((await client.tags(repo)).tags, tags);
  await expectManifest(repo, image.digest, image);
});

test('different manifests pushed concurrently under one tag leave the tag on one of them', async () => {
  const repo = uniqueName();
  const images = [await client.pushImage(repo), await client.pushImage(repo), await client.pushImage(repo)];
  const results = await Promise.all(images.map((image) => client.putManifest(repo, 'race', image)));
  for (const res of results) {
    await res.arrayBuffer();
    assert.equal(res.status, 201);
  }
  const res = await client.fetch(`/v2/${repo}/manifests/race`);
  await res.arrayBuffer();
  assert.ok(images.some((image) => image.digest === res.headers.get('docker-content-digest')));
  assert.deepEqual((await client.tags(repo)).tags, ['race']);
});
