import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { assertHarborErrors, assertHarborSchema } from '../helpers/harbor-schema.js';
import { createProject } from '../helpers/projects.js';
import { media, pushBlob, pushImage, pushManifest, type Pushed } from '../helpers/push.js';

// The documents of an SBOM accessory (artifact type application/vnd.goharbor.harbor.sbom.v1) as
// the portal's SBOM tab reads them: Harbor's `sbom` addition (the first layer, as Harbor's sbom
// processor answers), and Berth's `sbom.spdx` and `sbom.cyclonedx` (the layer of that format).
// Other artifacts have none: 404 with Harbor's error body.

const additionPath =
  '/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/additions/{addition}';
const spdx = { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', packages: [{ name: 'semver' }] };
const cyclonedx = { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ name: 'semver' }] };

let server: TestBerth;
let image: Pushed;
let sbom: Pushed;

before(async () => {
  server = await startApiBerth();
  await createProject(server, 'sboms');
  image = await pushImage(server, 'sboms/app', 'v1');
  const empty = Buffer.from('{}');
  const documents = [
    { mediaType: 'application/spdx+json', bytes: Buffer.from(JSON.stringify(spdx)) },
    { mediaType: 'application/vnd.cyclonedx+json', bytes: Buffer.from(JSON.stringify(cyclonedx)) },
  ];
  const configDigest = await pushBlob(server, 'sboms/app', empty);
  const layers = [];
  for (const document of documents)
    layers.push({
      mediaType: document.mediaType,
      digest: await pushBlob(server, 'sboms/app', document.bytes),
      size: document.bytes.length,
    });
  sbom = await pushManifest(
    server,
    'sboms/app',
    'sbom',
    {
      schemaVersion: 2,
      mediaType: media.ociManifest,
      artifactType: 'application/vnd.goharbor.harbor.sbom.v1',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: empty.length },
      layers,
      subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
    },
    media.ociManifest,
  );
});
after(() => server.close());

const addition = (reference: string, name: string) =>
  api<Record<string, unknown>>(
    server,
    'GET',
    `/projects/sboms/repositories/app/artifacts/${reference}/additions/${name}`,
  );

test("the sbom addition of an SBOM accessory is its first document (SPDX), as Harbor's", async () => {
  const res = await addition(sbom.digest, 'sbom');
  assert.equal(res.status, 200);
  assertHarborSchema('GET', additionPath, res.status, JSON.stringify(res.body));
  assert.equal(res.headers.get('content-type'), 'application/vnd.goharbor.harbor.sbom.v1');
  assert.deepEqual(JSON.parse(String(res.body)), spdx);
});

test('sbom.spdx and sbom.cyclonedx read the document of each format', async () => {
  const spdxRes = await addition(sbom.digest, 'sbom.spdx');
  assert.equal(spdxRes.status, 200);
  assert.match(spdxRes.headers.get('content-type') ?? '', /^application\/spdx\+json\b/);
  assert.deepEqual(spdxRes.body, spdx);
  const cdxRes = await addition(sbom.digest, 'sbom.cyclonedx');
  assert.equal(cdxRes.status, 200);
  assert.match(cdxRes.headers.get('content-type') ?? '', /^application\/vnd\.cyclonedx\+json\b/);
  assert.deepEqual(cdxRes.body, cyclonedx);
});

test('an artifact that is no SBOM accessory has no SBOM addition: 404', async () => {
  for (const name of ['sbom', 'sbom.spdx', 'sbom.cyclonedx']) {
    const res = await addition(image.digest, name);
    assert.equal(res.status, 404, name);
    assertHarborErrors(res.body);
  }
  const unknown = await addition(sbom.digest, 'sbom.xml');
  assert.equal(unknown.status, 422);
  assertHarborErrors(unknown.body);
});
