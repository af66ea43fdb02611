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
  uniqueName,
  type Descriptor,
  type Manifest,
} from '../helpers/oci.js';

// Distribution spec v1.1 "Listing referrers" and "Pushing manifests with subject":
// OCI-Subject on PUT; GET /v2/<name>/referrers/<digest>, optionally filtered by
// artifactType (OCI-Filters-Applied); an empty index when nothing refers to the digest.

const sbomType = 'application/vnd.example.sbom.v1+json';
const signatureType = 'application/vnd.example.signature.v1+json';

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

interface ReferrersIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: Descriptor[];
}

async function referrers(
  repo: string,
  digest: string,
  artifactType?: string,
): Promise<{ res: Response; index: ReferrersIndex }> {
  const query = artifactType === undefined ? '' : `?${new URLSearchParams({ artifactType }).toString()}`;
  const res = await client.fetch(`/v2/${repo}/referrers/${digest}${query}`);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.equal(res.headers.get('content-type'), mediaTypes.ociIndex);
  const index = JSON.parse(text) as ReferrersIndex;
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.mediaType, mediaTypes.ociIndex);
  assert.ok(Array.isArray(index.manifests));
  return { res, index };
}

function subjectOf(manifest: Manifest): Descriptor {
  return descriptorOf(manifest.mediaType, manifest);
}

function sorted(digests: string[]): string[] {
  return [...digests].sort();
}

test('PUT of a manifest with a subject answers OCI-Subject with the subject digest', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo, 'latest');
  const artifact = encodeManifest(
    imageManifestJSON({
      artifactType: sbomType,
      config: descriptorOf(mediaTypes.ociEmpty, emptyJSON),
      layers: [descriptorOf(mediaTypes.ociEmpty, emptyJSON)],
      subject: subjectOf(image),
    }),
  );
  await client.pushBlob(repo, emptyJSON);
  const res = await client.pushManifest(repo, artifact.digest, artifact);
  assert.equal(res.headers.get('oci-subject'), image.digest);
});

test('PUT of a manifest without a subject answers no OCI-Subject', async () => {
  const repo = uniqueName();
  await client.pushImage(repo, 'latest');
  const image = await client.pushImage(repo, 'other');
  const res = await client.pushManifest(repo, 'again', image);
  assert.equal(res.headers.get('oci-subject'), null);
});

test('an index with a subject answers OCI-Subject and is listed as a referrer', async () => {
  const repo = uniqueName();
  const subject = await client.pushImage(repo, 'latest');
  const child = await client.pushImage(repo);
  const index = encodeManifest(
    indexJSON({
      artifactType: signatureType,
      manifests: [descriptorOf(mediaTypes.ociManifest, child)],
      subject: subjectOf(subject),
      annotations: { kind: 'index' },
    }),
  );
  const res = await client.pushManifest(repo, index.digest, index);
  assert.equal(res.headers.get('oci-subject'), subject.digest);

  const { index: list } = await referrers(repo, subject.digest);
  assert.deepEqual(list.manifests, [
    {
      mediaType: mediaTypes.ociIndex,
      digest: index.digest,
      size: index.bytes.byteLength,
      artifactType: signatureType,
      annotations: { kind: 'index' },
    },
  ]);
});

test('the referrers list describes each referrer: mediaType, digest, size, artifactType, annotations', async () => {
  const repo = uniqueName();
  const subject = await client.pushImage(repo, 'latest');
  const sbom = await client.pushArtifact(repo, {
    artifactType: sbomType,
    subject: subjectOf(subject),
    annotations: { 'org.example.name': 'sbom' },
  });
  const signature = await client.pushArtifact(repo, {
    artifactType: signatureType,
    subject: subjectOf(subject),
    annotations: { 'org.example.name': 'sig' },
  });

  const { res, index } = await referrers(repo, subject.digest);
  assert.equal(res.headers.get('oci-filters-applied'), null);
  const byDigest = new Map(index.manifests.map((d) => [d.digest, d]));
  assert.deepEqual(sorted([...byDigest.keys()]), sorted([sbom.digest, signature.digest]));
  assert.deepEqual(byDigest.get(sbom.digest), {
    mediaType: mediaTypes.ociManifest,
    digest: sbom.digest,
    size: sbom.bytes.byteLength,
    artifactType: sbomType,
    annotations: { 'org.example.name': 'sbom' },
  });
  assert.deepEqual(byDigest.get(signature.digest), {
    mediaType: mediaTypes.ociManifest,
    digest: signature.digest,
    size: signature.bytes.byteLength,
    artifactType: signatureType,
    annotations: { 'org.example.name': 'sig' },
  });
});

test('a referrer without artifactType is listed under its config media type', async () => {
  const repo = uniqueName();
  const subject = await client.pushImage(repo, 'latest');
  const config = configBlob();
  const configType = 'application/vnd.example.config.v1+json';
  await client.pushBlobs(repo, config);
  const referrer = encodeManifest(
    imageManifestJSON({ config: descriptorOf(configType, config), layers: [], subject: subjectOf(subject) }),
  );
  await client.pushManifest(repo, referrer.digest, referrer);

  const { index } = await referrers(repo, subject.digest);
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0].digest, referrer.digest);
  assert.equal(index.manifests[0].artifactType, configType);
  assert.equal(index.manifests[0].annotations, undefined);
});

test('?artifactType= filters the list and answers OCI-Filters-Applied: artifactType', async () => {
  const repo = uniqueName();
  const subject = await client.pushImage(repo, 'latest');
  const sboms = [
    await client.pushArtifact(repo, { artifactType: sbomType, subject: subjectOf(subject) }),
    await client.pushArtifact(repo, { artifactType: sbomType, subject: subjectOf(subject) }),
  ];
  const signature = await client.pushArtifact(repo, { artifactType: signatureType, subject: subjectOf(subject) });

  const filtered = await referrers(repo, subject.digest, sbomType);
  assert.equal(filtered.res.headers.get('oci-filters-applied'), 'artifactType');
  assert.deepEqual(sorted(filtered.index.manifests.map((d) => d.digest)), sorted(sboms.map((m) => m.digest)));
  for (const d of filtered.index.manifests) assert.equal(d.artifactType, sbomType);

  const other = await referrers(repo, subject.digest, signatureType);
  assert.equal(other.res.headers.get('oci-filters-applied'), 'artifactType');
  assert.deepEqual(
    other.index.manifests.map((d) => d.digest),
    [signature.digest],
  );

  const none = await referrers(repo, subject.digest, 'application/vnd.example.nothing');
  assert.equal(none.res.headers.get('oci-filters-applied'), 'artifactType');
  assert.deepEqual(none.index.manifests, []);
});

test('a digest nothing refers to answers 200 with an empty index', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo, 'latest');
  for (const digest of [image.digest, randomBlob(10).digest, randomBlob(10, 'sha512').digest]) {
    const { index } = await referrers(repo, digest);
    assert.deepEqual(index.manifests, []);
  }
});

test('a repository that does not exist answers an empty index too', async () => {
  const { index } = await referrers(uniqueName('nowhere'), randomBlob(10).digest);
  assert.deepEqual(index.manifests, []);
});

test('a malformed digest answers 400 DIGEST_INVALID', async () => {
  const repo = uniqueName();
  await client.pushImage(repo, 'latest');
  for (const bad of ['sha256:abc', 'latest', 'sha256:' + 'Z'.repeat(64)]) {
    await expectError(await client.fetch(`/v2/${repo}/referrers/${bad}`), 400, 'DIGEST_INVALID');
  }
});

test('a manifest whose subject does not exist is accepted and listed for that digest', async () => {
  const repo = uniqueName();
  const missing: Descriptor = { mediaType: mediaTypes.ociManifest, digest: randomBlob(50).digest, size: 123 };
  const referrer = await client.pushArtifact(repo, { artifactType: sbomType, subject: missing, reference: 'dangling' });
  assert.equal((await client.send('HEAD', `/v2/${repo}/manifests/${missing.digest}`)).status, 404);
  const { index } = await referrers(repo, missing.digest);
  assert.deepEqual(
    index.manifests.map((d) => d.digest),
    [referrer.digest],
  );
});

test('a deleted referrer leaves the list', async () => {
  const repo = uniqueName();
  const subject = await client.pushImage(repo, 'latest');
  const kept = await client.pushArtifact(repo, { artifactType: sbomType, subject: subjectOf(subject) });
  const removed = await client.pushArtifact(repo, { artifactType: sbomType, subject: subjectOf(subject) });
  assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/${removed.digest}`)).status, 202);
  const { index } = await referrers(repo, subject.digest);
  assert.deepEqual(
    index.manifests.map((d) => d.digest),
    [kept.digest],
  );
});

test('referrers are per repository', async () => {
  const repo = uniqueName();
  const other = uniqueName('other');
  const subject = await client.pushImage(repo, 'latest');
  await client.pushBlobs(other, subject.config, ...subject.layers);
  await client.pushManifest(other, 'latest', subject);
  const referrer = await client.pushArtifact(repo, { artifactType: sbomType, subject: subjectOf(subject) });
  assert.deepEqual(
    (await referrers(repo, subject.digest)).index.manifests.map((d) => d.digest),
    [referrer.digest],
  );
  assert.deepEqual((await referrers(other, subject.digest)).index.manifests, []);
});

test('a tagged referrer is listed once, whatever its tags', async () => {
  const repo = uniqueName();
  const subject = await client.pushImage(repo, 'latest');
  const referrer = await client.pushArtifact(repo, {
    artifactType: sbomType,
    subject: subjectOf(subject),
    reference: 'sbom',
  });
  await client.pushManifest(repo, 'sbom-copy', referrer);
  assert.deepEqual(
    (await referrers(repo, subject.digest)).index.manifests.map((d) => d.digest),
    [referrer.digest],
  );
});

test('a sha512 subject is matched by its sha512 digest', async () => {
  const repo = uniqueName();
  const config = configBlob();
  await client.pushBlob(repo, config);
  const subject = encodeManifest(
    imageManifestJSON({ config: descriptorOf(mediaTypes.ociConfig, config), layers: [] }),
    { algorithm: 'sha512' },
  );
  await client.pushManifest(repo, subject.digest, subject);
  const referrer = await client.pushArtifact(repo, { artifactType: sbomType, subject: subjectOf(subject) });
  assert.deepEqual(
    (await referrers(repo, subject.digest)).index.manifests.map((d) => d.digest),
    [referrer.digest],
  );
});
