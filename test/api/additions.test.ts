import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminAuth, api, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { startTestBerth, tempDir, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { needHelm } from '../helpers/helm.js';
import { exec } from '../helpers/tools.js';
import {
  blobOf,
  descriptorOf,
  encodeManifest,
  imageManifestJSON,
  mediaTypes,
  OciClient,
  randomBlob,
  type Manifest,
} from '../helpers/oci.js';
import { createProject, createUser } from '../helpers/projects.js';
import { createTestBucket, deleteTestBucket, needS3, testS3Client, testS3Config } from '../helpers/s3.js';
import { encodeRepository, pushChart, pushIndex } from '../helpers/push.js';
import type { HarborAccessory as Accessory } from '../../src/artifacts/view.js';

// GET …/artifacts/{reference}/additions/{addition} and …/accessories: what Harbor's
// artifact view links to, answered from the pushed image config and chart archive.

interface Artifact {
  digest: string;
  addition_links: Record<string, { href: string; absolute: boolean }>;
}

const additionPath =
  '/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/additions/{addition}';
const accessoriesPath = '/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/accessories';

const history = [
  { created: '2024-05-01T10:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ', comment: 'base layer' },
  {
    created: '2024-05-01T10:00:01.5Z',
    created_by: '/bin/sh -c #(nop)  CMD ["sh"]',
    empty_layer: true,
    author: 'berth',
  },
  {
    created: '2024-05-02T08:30:00Z',
    created_by: 'RUN apk add curl # buildkit',
    comment: 'buildkit.dockerfile.v0',
    empty_layer: false,
  },
];

let server: TestBerth;
let oci: OciClient;
let image: Manifest;

/** An OCI image whose config carries a build history, pushed over /v2. */
async function pushImageWithHistory(repository: string, tag: string, client = oci): Promise<Manifest> {
  const layer = randomBlob(256);
  const config = blobOf(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-05-02T08:30:00Z',
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      history,
    }),
  );
  await client.pushBlobs(repository, config, layer);
  const manifest = encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: [descriptorOf(mediaTypes.ociLayer, layer)],
    }),
  );
  await client.pushManifest(repository, tag, manifest);
  return manifest;
}

function additionUrl(repository: string, reference: string, addition: string): string {
  const [project, ...rest] = repository.split('/');
  return `/projects/${project}/repositories/${encodeRepository(rest.join('/'))}/artifacts/${reference}/additions/${addition}`;
}

function assertNotFound(res: { status: number; body: unknown }, message?: RegExp): void {
  assert.equal(res.status, 404, JSON.stringify(res.body));
  const body = res.body as { errors: { code: string; message: string }[] };
  assert.equal(body.errors[0].code, 'NOT_FOUND');
  if (message) assert.match(body.errors[0].message, message);
}

before(async () => {
  server = await startApiBerth();
  oci = new OciClient(server.url);
  image = await pushImageWithHistory('library/additions/app', 'v1');
});
after(() => server.close());

test("build_history is the image config's history in Harbor's format, as JSON", async () => {
  const res = await api<unknown[]>(server, 'GET', additionUrl('library/additions/app', 'v1', 'build_history'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assertHarborSchema('GET', additionPath, 200, JSON.stringify(res.body));
  // Go's v1.History: empty_layer only when true, every field as pushed.
  assert.deepEqual(res.body, [
    history[0],
    history[1],
    { created: history[2].created, created_by: history[2].created_by, comment: history[2].comment },
  ]);
  const byDigest = await api(server, 'GET', additionUrl('library/additions/app', image.digest, 'build_history'));
  assert.deepEqual(byDigest.body, res.body, 'by digest as by tag');
});

test('every addition link of an image and of an index answers 200; an index links only its vulnerabilities', async () => {
  const view = await api<Artifact>(
    server,
    'GET',
    `/projects/library/repositories/${encodeRepository('additions/app')}/artifacts/v1`,
  );
  assert.deepEqual(Object.keys(view.body.addition_links).sort(), ['build_history', 'vulnerabilities']);
  for (const [name, link] of Object.entries(view.body.addition_links)) {
    assert.equal(link.absolute, false);
    const res = await fetch(`${server.url}${link.href}`, { headers: { authorization: adminAuth } });
    assert.equal(res.status, 200, `${name} → ${res.status} ${await res.clone().text()}`);
    if (name === 'vulnerabilities') assert.deepEqual(await res.json(), {}, 'not scanned, no report');
  }
  const child = {
    digest: image.digest,
    size: image.bytes.length,
    mediaType: mediaTypes.ociManifest,
    platform: { architecture: 'amd64', os: 'linux' },
  };
  const index = await pushIndex(server, 'library/additions/app', 'multi', [child]);
  const indexView = await api<Artifact>(
    server,
    'GET',
    `/projects/library/repositories/${encodeRepository('additions/app')}/artifacts/${index.digest}`,
  );
  assert.deepEqual(Object.keys(indexView.body.addition_links), ['vulnerabilities'], "an index's are its images'");
  assertNotFound(
    await api(server, 'GET', additionUrl('library/additions/app', 'multi', 'build_history')),
    /index has no additions/,
  );
  assert.equal(
    (await api(server, 'GET', additionUrl('library/additions/app', 'multi', 'vulnerabilities'))).status,
    200,
  );
});

test("an addition the artifact does not have is 404, a name outside Harbor's list 422, an unknown artifact 404", async () => {
  for (const name of ['values.yaml', 'readme.md', 'dependencies', 'sbom', 'license', 'files']) {
    const res = await api(server, 'GET', additionUrl('library/additions/app', 'v1', name));
    assertNotFound(res, new RegExp(`no addition ${name.replace('.', '\\.')}`));
    assertHarborSchema('GET', additionPath, 404, res.body);
  }
  const unknown = await api<{ errors: { code: string; message: string }[] }>(
    server,
    'GET',
    additionUrl('library/additions/app', 'v1', 'secrets'),
  );
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body.errors[0].code, 'UNPROCESSABLE_ENTITY');
  assertNotFound(await api(server, 'GET', additionUrl('library/additions/app', 'v9', 'build_history')));
  assertNotFound(await api(server, 'GET', additionUrl('library/additions/nothing', 'v1', 'build_history')));
  assertNotFound(await api(server, 'GET', additionUrl('nosuchproject/app', 'v1', 'build_history')));
});

test("additions follow the project's visibility: anonymous reads public ones, a private project is hidden from strangers", async () => {
  assert.equal(
    (await api(server, 'GET', additionUrl('library/additions/app', 'v1', 'build_history'), { auth: null })).status,
    200,
  );
  await createProject(server, 'addsecret');
  await pushImageWithHistory('addsecret/app', 'v1');
  const stranger = await createUser(server, 'addstranger');
  assert.equal(
    (await api(server, 'GET', additionUrl('addsecret/app', 'v1', 'build_history'), { auth: null })).status,
    401,
  );
  assertNotFound(
    await api(server, 'GET', additionUrl('addsecret/app', 'v1', 'build_history'), { auth: stranger.auth }),
  );
  assert.equal(
    (await api(server, 'GET', `/projects/addsecret/repositories/app/artifacts/v1/accessories`, { auth: stranger.auth }))
      .status,
    404,
  );
});

test('a chart whose layer is not a gzipped tar answers 422, not 500', async () => {
  await pushChart(server, 'library/additions/broken', '0.1.0', { name: 'broken', version: '0.1.0' });
  const res = await api<{ errors: { code: string; message: string }[] }>(
    server,
    'GET',
    additionUrl('library/additions/broken', '0.1.0', 'values.yaml'),
  );
  assert.equal(res.status, 422);
  assert.match(res.body.errors[0].message, /not a gzipped tar/);
  assertHarborSchema('GET', additionPath, 422, res.body);
});

test('helm-pushed charts: values.yaml, readme.md and dependencies from the chart archive (apiVersion v2 and v1); every link answers 200', async (t) => {
  const helmPath = await needHelm(t);
  if (!helmPath) return;
  const work = tempDir('berth-additions-helm-');
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const env = {
    HELM_CACHE_HOME: join(work, 'cache'),
    HELM_CONFIG_HOME: join(work, 'config'),
    HELM_DATA_HOME: join(work, 'data'),
    DOCKER_CONFIG: join(work, 'docker'),
  };
  const helm = (args: string[]) => exec(helmPath, args, { cwd: work, env });
  await helm([
    'registry',
    'login',
    server.host,
    '--plain-http',
    '--username',
    'admin',
    '--password',
    testAdminPassword,
  ]);

  const values = '# Default values\nreplicaCount: 2\nimage:\n  repository: nginx\n';
  const readme = '# Web\n\nA chart with **two** dependencies.\n';
  const dependencies = [
    {
      name: 'common',
      version: '1.0.0',
      repository: 'https://charts.example.com',
      condition: 'common.enabled',
      tags: ['base'],
      alias: 'shared',
    },
    { name: 'cache', version: '2.0.0', repository: 'oci://registry.example.com/charts', 'import-values': ['defaults'] },
  ];
  const writeChart = (name: string, apiVersion: 'v1' | 'v2', files: Record<string, string>) => {
    const dir = join(work, apiVersion, name);
    mkdirSync(join(dir, 'templates'), { recursive: true });
    for (const dep of ['common', 'cache']) {
      mkdirSync(join(dir, 'charts', dep), { recursive: true });
      writeFileSync(
        join(dir, 'charts', dep, 'Chart.yaml'),
        `apiVersion: v2\nname: ${dep}\nversion: ${dep === 'common' ? '1.0.0' : '2.0.0'}\n`,
      );
    }
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  const depsYaml = `dependencies:\n${dependencies.map((d) => `  - name: ${d.name}\n    version: ${d.version}\n    repository: ${d.repository}\n${d.condition ? `    condition: ${d.condition}\n    tags: [base]\n    alias: ${d.alias}\n` : '    import-values: [defaults]\n'}`).join('')}`;
  const v2 = writeChart('web', 'v2', {
    'Chart.yaml': `apiVersion: v2\nname: web\nversion: 1.0.0\n${depsYaml}`,
    'values.yaml': values,
    'README.md': readme,
  });
  const v1 = writeChart('legacy', 'v1', {
    'Chart.yaml': 'apiVersion: v1\nname: legacy\nversion: 0.9.0\n',
    'requirements.yaml': depsYaml,
    'values.yaml': values,
  });
  for (const dir of [v2, v1]) await helm(['package', dir, '--destination', join(work, 'packages')]);
  await helm([
    'push',
    join(work, 'packages', 'web-1.0.0.tgz'),
    `oci://${server.host}/library/additions`,
    '--plain-http',
  ]);
  await helm([
    'push',
    join(work, 'packages', 'legacy-0.9.0.tgz'),
    `oci://${server.host}/library/additions`,
    '--plain-http',
  ]);

  const view = await api<Artifact>(
    server,
    'GET',
    `/projects/library/repositories/${encodeRepository('additions/web')}/artifacts/1.0.0`,
  );
  assert.deepEqual(Object.keys(view.body.addition_links).sort(), ['dependencies', 'readme.md', 'values.yaml']);
  for (const [name, link] of Object.entries(view.body.addition_links)) {
    const res = await fetch(`${server.url}${link.href}`, { headers: { authorization: adminAuth } });
    assert.equal(res.status, 200, `${name} → ${res.status}`);
  }

  const get = (repository: string, name: string) =>
    api(server, 'GET', additionUrl(repository, repository.endsWith('web') ? '1.0.0' : '0.9.0', name));
  const valuesRes = await get('library/additions/web', 'values.yaml');
  assert.equal(valuesRes.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(valuesRes.body, values, 'values.yaml byte for byte');
  const readmeRes = await get('library/additions/web', 'readme.md');
  assert.equal(readmeRes.headers.get('content-type'), 'text/markdown; charset=utf-8');
  assert.equal(readmeRes.body, readme);
  const expected = [
    {
      name: 'common',
      version: '1.0.0',
      repository: 'https://charts.example.com',
      condition: 'common.enabled',
      tags: ['base'],
      alias: 'shared',
    },
    { name: 'cache', version: '2.0.0', repository: 'oci://registry.example.com/charts', 'import-values': ['defaults'] },
  ];
  const depsRes = await get('library/additions/web', 'dependencies');
  assert.equal(depsRes.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.deepEqual(depsRes.body, expected);
  assert.deepEqual(
    (await get('library/additions/legacy', 'dependencies')).body,
    expected,
    'apiVersion v1: from requirements.yaml',
  );
  // Harbor answers a chart without a README with an empty one.
  const noReadme = await get('library/additions/legacy', 'readme.md');
  assert.equal(noReadme.status, 200);
  assert.equal(noReadme.body, '');
  assertNotFound(await get('library/additions/web', 'build_history'));
});

test("accessories: artifacts whose subject is this one, with Harbor's types, paging, filter and sort", async () => {
  const repository = 'library/additions/signed';
  const subject = await oci.pushImage(repository, 'v1');
  const other = await oci.pushImage(repository, 'v2');
  const subjectDescriptor = descriptorOf(mediaTypes.ociManifest, subject);
  const signature = await oci.pushArtifact(repository, {
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    subject: subjectDescriptor,
  });
  const sbom = await oci.pushArtifact(repository, {
    artifactType: 'application/vnd.goharbor.harbor.sbom.v1',
    subject: subjectDescriptor,
  });
  const notation = await oci.pushArtifact(repository, {
    artifactType: 'application/vnd.cncf.notary.signature',
    subject: subjectDescriptor,
  });
  const attestation = await oci.pushArtifact(repository, {
    artifactType: 'application/vnd.example.attestation.v1',
    subject: subjectDescriptor,
  });
  await oci.pushArtifact(repository, {
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    subject: descriptorOf(mediaTypes.ociManifest, other),
  });

  const base = `/projects/library/repositories/${encodeRepository('additions/signed')}/artifacts`;
  const all = await api<Accessory[]>(server, 'GET', `${base}/v1/accessories`);
  assert.equal(all.status, 200);
  assertHarborSchema('GET', accessoriesPath, 200, all.body);
  assert.equal(all.headers.get('x-total-count'), '4');
  const subjectView = await api<{ id: number }>(server, 'GET', `${base}/v1`);
  const byDigest = new Map(all.body.map((a) => [a.digest, a]));
  assert.deepEqual(
    [signature, sbom, notation, attestation].map((m) => byDigest.get(m.digest)?.type),
    ['signature.cosign', 'harbor.sbom', 'signature.notation', 'subject.accessory'],
  );
  for (const accessory of all.body) {
    assert.equal(accessory.subject_artifact_digest, subject.digest);
    assert.equal(accessory.subject_artifact_repo, repository);
    assert.equal(accessory.subject_artifact_id, subjectView.body.id);
    assert.equal(accessory.artifact_id, accessory.id);
  }
  assert.deepEqual(
    all.body.map((a) => a.id),
    [...all.body.map((a) => a.id)].sort((x, y) => y - x),
    'newest first by default',
  );

  const firstPage = await api<Accessory[]>(
    server,
    'GET',
    `${base}/${subject.digest}/accessories?page=1&page_size=3&sort=id`,
  );
  assert.equal(firstPage.body.length, 3);
  assert.equal(firstPage.headers.get('x-total-count'), '4');
  assert.match(firstPage.headers.get('link') ?? '', /\/accessories\?page=2&page_size=3&sort=id>; rel="next"$/);
  const secondPage = await api<Accessory[]>(
    server,
    'GET',
    `${base}/${subject.digest}/accessories?page=2&page_size=3&sort=id`,
  );
  assert.deepEqual(
    [...firstPage.body, ...secondPage.body].map((a) => a.id),
    [...all.body.map((a) => a.id)].sort((x, y) => x - y),
  );

  const cosign = await api<Accessory[]>(
    server,
    'GET',
    `${base}/v1/accessories?q=${encodeURIComponent('type=signature.cosign')}`,
  );
  assert.deepEqual(
    cosign.body.map((a) => a.digest),
    [signature.digest],
  );
  const signatures = await api<Accessory[]>(
    server,
    'GET',
    `${base}/v1/accessories?q=${encodeURIComponent('type=~signature')}`,
  );
  assert.equal(signatures.headers.get('x-total-count'), '2');
  // Harbor ignores q and sort keys it cannot use.
  const unfiltered = await api<Accessory[]>(server, 'GET', `${base}/v1/accessories`);
  assert.deepEqual((await api(server, 'GET', `${base}/v1/accessories?sort=color`)).body, unfiltered.body);
  assert.deepEqual(
    (await api(server, 'GET', `${base}/v1/accessories?q=${encodeURIComponent('color=red')}`)).body,
    unfiltered.body,
  );
  assertNotFound(await api(server, 'GET', `${base}/v9/accessories`));

  const none = await api<Accessory[]>(server, 'GET', `${base}/${signature.digest}/accessories`);
  assert.deepEqual(none.body, []);
  assert.equal(none.headers.get('x-total-count'), '0');
});

test("the artifact list and the repository's artifact_count leave untagged accessories out, and show a tagged one", async () => {
  const repository = 'library/additions/listed';
  const image = await oci.pushImage(repository, 'v1');
  const subject = descriptorOf(mediaTypes.ociManifest, image);
  await oci.pushArtifact(repository, { artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', subject });
  const tagged = await oci.pushArtifact(repository, {
    artifactType: 'application/vnd.goharbor.harbor.sbom.v1',
    subject,
    reference: 'sbom',
  });

  const name = encodeRepository('additions/listed');
  const list = await api<{ digest: string }[]>(server, 'GET', `/projects/library/repositories/${name}/artifacts`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.map((a) => a.digest).sort(), [image.digest, tagged.digest].sort());
  assert.equal(list.headers.get('x-total-count'), '2');
  const repo = await api<{ artifact_count: number }>(server, 'GET', `/projects/library/repositories/${name}`);
  assert.equal(repo.body.artifact_count, 2);
});

test('on S3 with presigned redirects, additions and extra_attrs read the blobs through the redirect', async (t) => {
  if (!(await needS3(t))) return;
  const s3 = testS3Client();
  const bucket = await createTestBucket(s3, 'berth-additions');
  const redirecting = await startTestBerth({
    adminPassword: testAdminPassword,
    storage: { type: 's3', s3: testS3Config(bucket) },
  });
  t.after(async () => {
    await redirecting.close();
    await deleteTestBucket(s3, bucket);
    s3.destroy();
  });
  const client = new OciClient(redirecting.url);
  const manifest = await pushImageWithHistory('library/app', 'v1', client);
  const blob = await client.send(
    'GET',
    `/v2/library/app/blobs/${(manifest.json.config as { digest: string }).digest}`,
    { redirect: 'manual' },
  );
  assert.equal(blob.status, 307, 'this Berth redirects blob reads to S3');
  const res = await api<unknown[]>(redirecting, 'GET', additionUrl('library/app', 'v1', 'build_history'));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.length, history.length);
  const view = await api<{ extra_attrs: Record<string, unknown> }>(
    redirecting,
    'GET',
    '/projects/library/repositories/app/artifacts/v1',
  );
  assert.equal(view.body.extra_attrs.architecture, 'amd64', 'extra_attrs are read through the redirect too');
});
