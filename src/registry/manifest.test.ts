import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../shared/errors.js';
import { digestOf } from '../shared/digest.js';
import {
  artifactTypeOf,
  isManifestMediaType,
  manifestMediaTypes,
  mediaTypes,
  parseManifest,
  referencedBlobs,
  type ParsedManifest,
} from './manifest.js';

const d = (seed: string) => digestOf(Buffer.from(seed));
const emptyConfig = { mediaType: mediaTypes.ociEmpty, digest: digestOf(Buffer.from('{}')), size: 2 };
const config = (mediaType = 'application/vnd.oci.image.config.v1+json') => ({
  mediaType,
  digest: d('config'),
  size: 7,
});
const layer = (seed: string, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip') => ({
  mediaType,
  digest: d(seed),
  size: seed.length,
});

function bytes(body: unknown): Buffer {
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

function parse(body: unknown, contentType?: string): ParsedManifest {
  return parseManifest(bytes(body), contentType);
}

function assertInvalid(body: unknown, contentType: string | undefined, pattern?: RegExp): void {
  assert.throws(
    () => parse(body, contentType),
    (err: unknown) =>
      err instanceof BerthError && err.code === 'MANIFEST_INVALID' && (!pattern || pattern.test(err.message)),
  );
}

const schema2 = {
  schemaVersion: 2,
  mediaType: mediaTypes.dockerManifest,
  config: config('application/vnd.docker.container.image.v1+json'),
  layers: [
    layer('l1', 'application/vnd.docker.image.rootfs.diff.tar.gzip'),
    layer('l2', 'application/vnd.docker.image.rootfs.diff.tar.gzip'),
  ],
};

const ociManifest = {
  schemaVersion: 2,
  mediaType: mediaTypes.ociManifest,
  config: config(),
  layers: [layer('l1')],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
};

const platform = { architecture: 'amd64', os: 'linux' };

test('a Docker schema2 manifest parses to an image with config and layers', () => {
  const parsed = parse(schema2, mediaTypes.dockerManifest);
  assert.equal(parsed.mediaType, mediaTypes.dockerManifest);
  assert.equal(parsed.kind, 'image');
  assert.deepEqual(parsed.config, schema2.config);
  assert.deepEqual(parsed.layers, schema2.layers);
  assert.deepEqual(parsed.manifests, []);
  assert.equal(parsed.subject, undefined);
  assert.deepEqual(
    referencedBlobs(parsed).map((b) => b.digest),
    [schema2.config.digest, ...schema2.layers.map((l) => l.digest)],
  );
});

test('a Docker manifest list parses to an index of its children with platforms', () => {
  const list = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifestList,
    manifests: [
      { mediaType: mediaTypes.dockerManifest, digest: d('amd64'), size: 500, platform },
      {
        mediaType: mediaTypes.dockerManifest,
        digest: d('arm64'),
        size: 501,
        platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
      },
    ],
  };
  const parsed = parse(list, mediaTypes.dockerManifestList);
  assert.equal(parsed.kind, 'index');
  assert.equal(parsed.mediaType, mediaTypes.dockerManifestList);
  assert.equal(parsed.manifests.length, 2);
  assert.deepEqual(parsed.manifests[0].platform, platform);
  assert.equal(parsed.config, undefined);
  assert.deepEqual(referencedBlobs(parsed), []);
  assert.equal(artifactTypeOf(parsed), undefined);
});

test('an OCI image manifest keeps its annotations; artifactTypeOf falls back to the config media type', () => {
  const parsed = parse(ociManifest, mediaTypes.ociManifest);
  assert.equal(parsed.kind, 'image');
  assert.equal(parsed.mediaType, mediaTypes.ociManifest);
  assert.deepEqual(parsed.annotations, ociManifest.annotations);
  assert.equal(artifactTypeOf(parsed), 'application/vnd.oci.image.config.v1+json');
});

test('an OCI index parses, with annotations and an artifactType on its children', () => {
  const index = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociIndex,
    manifests: [
      { mediaType: mediaTypes.ociManifest, digest: d('m1'), size: 10, platform },
      {
        mediaType: mediaTypes.ociManifest,
        digest: d('m2'),
        size: 11,
        artifactType: 'application/vnd.example.sbom',
        annotations: { a: 'b' },
      },
    ],
    annotations: { 'org.example': 'x' },
  };
  const parsed = parse(index, mediaTypes.ociIndex);
  assert.equal(parsed.kind, 'index');
  assert.equal(parsed.manifests[1].artifactType, 'application/vnd.example.sbom');
  assert.deepEqual(parsed.manifests[1].annotations, { a: 'b' });
  assert.deepEqual(parsed.annotations, { 'org.example': 'x' });
});

test('an empty OCI index is valid', () => {
  const parsed = parse({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [] }, mediaTypes.ociIndex);
  assert.equal(parsed.kind, 'index');
  assert.deepEqual(parsed.manifests, []);
});

test('an OCI artifact with artifactType and the empty config', () => {
  const artifact = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    artifactType: 'application/vnd.example.signature',
    config: emptyConfig,
    layers: [layer('sig', 'application/vnd.example.signature.v1')],
  };
  const parsed = parse(artifact, mediaTypes.ociManifest);
  assert.equal(parsed.artifactType, 'application/vnd.example.signature');
  assert.equal(artifactTypeOf(parsed), 'application/vnd.example.signature');
  assert.deepEqual(parsed.config, emptyConfig);
  assert.deepEqual(
    referencedBlobs(parsed).map((b) => b.digest),
    [emptyConfig.digest, d('sig')],
  );
});

test('an OCI artifact may have no layers at all', () => {
  const parsed = parse(
    { schemaVersion: 2, mediaType: mediaTypes.ociManifest, artifactType: 'application/x', config: emptyConfig },
    mediaTypes.ociManifest,
  );
  assert.deepEqual(parsed.layers, []);
  assert.deepEqual(referencedBlobs(parsed), [emptyConfig]);
});

test('an image index with an artifactType reports it', () => {
  const parsed = parse(
    { schemaVersion: 2, mediaType: mediaTypes.ociIndex, artifactType: 'application/x-bundle', manifests: [] },
    mediaTypes.ociIndex,
  );
  assert.equal(artifactTypeOf(parsed), 'application/x-bundle');
});

test('a subject descriptor is parsed on manifests and indexes', () => {
  const subject = { mediaType: mediaTypes.ociManifest, digest: d('subject'), size: 321 };
  const manifest = parse({ ...ociManifest, subject }, mediaTypes.ociManifest);
  assert.deepEqual(manifest.subject, subject);
  const index = parse(
    { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [], subject },
    mediaTypes.ociIndex,
  );
  assert.deepEqual(index.subject, subject);
  assertInvalid(
    { ...ociManifest, subject: { mediaType: mediaTypes.ociManifest, digest: 'nope', size: 1 } },
    mediaTypes.ociManifest,
    /subject/,
  );
  assertInvalid({ ...ociManifest, subject: 'sha256:abc' }, mediaTypes.ociManifest, /subject/);
});

test('a Content-Type that contradicts the manifest mediaType is rejected', () => {
  assertInvalid(ociManifest, mediaTypes.dockerManifest, /does not match/);
  assertInvalid(schema2, mediaTypes.ociManifest, /does not match/);
  assertInvalid(
    { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [] },
    mediaTypes.dockerManifestList,
    /does not match/,
  );
});

test('Content-Type parameters and case are ignored', () => {
  const parsed = parse(ociManifest, `${mediaTypes.ociManifest.toUpperCase()}; charset=utf-8`);
  assert.equal(parsed.mediaType, mediaTypes.ociManifest);
});

test('without a manifest Content-Type the mediaType field, then the shape decides', () => {
  assert.equal(parse(schema2, undefined).mediaType, mediaTypes.dockerManifest);
  assert.equal(parse(schema2, 'application/json').mediaType, mediaTypes.dockerManifest);
  const { mediaType: _m, ...bare } = ociManifest;
  assert.equal(parse(bare, undefined).mediaType, mediaTypes.ociManifest);
  assert.equal(parse({ schemaVersion: 2, manifests: [] }, undefined).mediaType, mediaTypes.ociIndex);
  assert.equal(parse(bare, mediaTypes.ociManifest).mediaType, mediaTypes.ociManifest);
  assertInvalid({ schemaVersion: 2 }, undefined, /Content-Type/);
  assertInvalid({ ...ociManifest, mediaType: 'application/vnd.example.unknown' }, undefined, /unsupported/);
});

test('Docker schema1 manifests are rejected by Content-Type or by schemaVersion', () => {
  const schema1 = { schemaVersion: 1, name: 'a', tag: 'latest', architecture: 'amd64', fsLayers: [], history: [] };
  assertInvalid(schema1, undefined, /schema1/);
  assertInvalid(schema1, 'application/vnd.docker.distribution.manifest.v1+prettyjws', /schema1/);
  assertInvalid(schema2, 'application/vnd.docker.distribution.manifest.v1+json', /schema1/);
});

test('a missing or wrong schemaVersion is rejected', () => {
  const { schemaVersion: _s, ...noVersion } = ociManifest;
  assertInvalid(noVersion, mediaTypes.ociManifest, /schemaVersion/);
  assertInvalid({ ...ociManifest, schemaVersion: '2' }, mediaTypes.ociManifest, /schemaVersion/);
  assertInvalid({ ...ociManifest, schemaVersion: 3 }, mediaTypes.ociManifest, /schemaVersion/);
});

test('bytes that are not a JSON object are rejected', () => {
  assertInvalid('not json', mediaTypes.ociManifest, /JSON/);
  assertInvalid('', mediaTypes.ociManifest, /JSON/);
  assertInvalid('[1,2]', mediaTypes.ociManifest, /object/);
  assertInvalid('null', mediaTypes.ociManifest, /object/);
  assertInvalid('"x"', mediaTypes.ociManifest, /object/);
  assertInvalid({ ...ociManifest, mediaType: 7 }, undefined, /mediaType/);
});

test('an image manifest without config is rejected', () => {
  const { config: _c, ...noConfig } = ociManifest;
  assertInvalid(noConfig, mediaTypes.ociManifest, /config/);
  const { config: _c2, ...noConfig2 } = schema2;
  assertInvalid(noConfig2, mediaTypes.dockerManifest, /config/);
});

test('schema2 requires layers; OCI layers must be an array when present', () => {
  const { layers: _l, ...noLayers } = schema2;
  assertInvalid(noLayers, mediaTypes.dockerManifest, /layers/);
  assertInvalid({ ...ociManifest, layers: {} }, mediaTypes.ociManifest, /layers/);
});

test('an index needs a manifests array', () => {
  assertInvalid({ schemaVersion: 2, mediaType: mediaTypes.ociIndex }, mediaTypes.ociIndex, /manifests/);
  assertInvalid({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: {} }, mediaTypes.ociIndex, /manifests/);
  assertInvalid(
    {
      schemaVersion: 2,
      mediaType: mediaTypes.dockerManifestList,
      manifests: [{ mediaType: mediaTypes.dockerManifest, size: 1 }],
    },
    mediaTypes.dockerManifestList,
    /manifests\[0\]\.digest/,
  );
});

test('bad descriptors are rejected naming where they are', () => {
  const bad: [unknown, RegExp][] = [
    [null, /config must be a descriptor/],
    ['sha256:x', /config must be a descriptor/],
    [[], /config must be a descriptor/],
    [{ digest: d('c'), size: 1 }, /config\.mediaType/],
    [{ mediaType: '', digest: d('c'), size: 1 }, /config\.mediaType/],
    [{ mediaType: 'a/b', digest: 'sha256:short', size: 1 }, /config\.digest/],
    [{ mediaType: 'a/b', digest: `sha256:${'A'.repeat(64)}`, size: 1 }, /config\.digest/],
    [{ mediaType: 'a/b', size: 1 }, /config\.digest/],
    [{ mediaType: 'a/b', digest: d('c') }, /config\.size/],
    [{ mediaType: 'a/b', digest: d('c'), size: -1 }, /config\.size/],
    [{ mediaType: 'a/b', digest: d('c'), size: 1.5 }, /config\.size/],
    [{ mediaType: 'a/b', digest: d('c'), size: '1' }, /config\.size/],
    [{ mediaType: 'a/b', digest: d('c'), size: 2 ** 60 }, /config\.size/],
    [{ mediaType: 'a/b', digest: d('c'), size: 1, urls: 'http://x' }, /config\.urls/],
    [{ mediaType: 'a/b', digest: d('c'), size: 1, urls: [1] }, /config\.urls/],
    [{ mediaType: 'a/b', digest: d('c'), size: 1, annotations: { a: 1 } }, /config\.annotations/],
    [{ mediaType: 'a/b', digest: d('c'), size: 1, annotations: ['x'] }, /config\.annotations/],
    [{ mediaType: 'a/b', digest: d('c'), size: 1, artifactType: 5 }, /config\.artifactType/],
    [{ mediaType: 'a/b', digest: d('c'), size: 1, platform: 'linux' }, /config\.platform/],
  ];
  for (const [descriptor, pattern] of bad)
    assertInvalid({ ...ociManifest, config: descriptor }, mediaTypes.ociManifest, pattern);
  assertInvalid(
    { ...ociManifest, layers: [layer('ok'), { mediaType: 'a/b', digest: 'bad', size: 1 }] },
    mediaTypes.ociManifest,
    /layers\[1\]\.digest/,
  );
});

test('manifest-level annotations and artifactType must be strings', () => {
  assertInvalid({ ...ociManifest, annotations: { a: 1 } }, mediaTypes.ociManifest, /annotations/);
  assertInvalid({ ...ociManifest, annotations: 'x' }, mediaTypes.ociManifest, /annotations/);
  assertInvalid({ ...ociManifest, artifactType: 3 }, mediaTypes.ociManifest, /artifactType/);
});

test('referencedBlobs skips foreign layers that carry URLs, keeps those without', () => {
  const foreign = {
    ...layer('windows-base', 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'),
    urls: ['https://mcr.microsoft.com/layer'],
  };
  const nondistributable = {
    ...layer('nd', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'),
    urls: ['https://example.com/nd'],
  };
  const foreignWithoutUrls = layer('foreign-local', 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip');
  const normalWithUrls = { ...layer('normal'), urls: ['https://example.com/normal'] };
  const parsed = parse(
    { ...schema2, layers: [foreign, ...schema2.layers, foreignWithoutUrls] },
    mediaTypes.dockerManifest,
  );
  assert.equal(parsed.layers.length, 4);
  assert.deepEqual(parsed.layers[0].urls, foreign.urls);
  assert.deepEqual(
    referencedBlobs(parsed).map((b) => b.digest),
    [schema2.config.digest, d('l1'), d('l2'), d('foreign-local')],
  );
  const oci = parse({ ...ociManifest, layers: [nondistributable, normalWithUrls] }, mediaTypes.ociManifest);
  assert.deepEqual(
    referencedBlobs(oci).map((b) => b.digest),
    [ociManifest.config.digest, d('normal')],
  );
});

test('the accepted manifest media types', () => {
  assert.deepEqual(
    [...manifestMediaTypes].sort(),
    [mediaTypes.dockerManifest, mediaTypes.dockerManifestList, mediaTypes.ociIndex, mediaTypes.ociManifest].sort(),
  );
  assert.ok(isManifestMediaType(mediaTypes.ociIndex));
  assert.equal(isManifestMediaType('application/vnd.docker.distribution.manifest.v1+prettyjws'), false);
  assert.equal(isManifestMediaType('application/json'), false);
});
