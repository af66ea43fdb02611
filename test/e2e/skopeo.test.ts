import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { api } from '../helpers/api.js';
import { adminCredentials, startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { needTool, type ExecError } from '../helpers/tools.js';
import {
  buildImage,
  layerFiles,
  readBlob,
  readJsonBlob,
  resolveTag,
  writeIndex,
  type ImageIndex,
  type ImageManifest,
} from '../helpers/images.js';
import { skopeoIn } from './clients.js';

// skopeo (containers/image) against a real Berth: push, inspect, list, pull back, delete,
// and multi-arch indexes with `copy --all`.

interface Inspect {
  Name: string;
  Digest: string;
  RepoTags: string[];
  Architecture: string;
  Layers: string[];
  Env: string[] | null;
}

let server: TestBerth;
let work: string;
let skopeo: (args: string[]) => Promise<string>;

before(async () => {
  server = await startTestBerth();
  work = tempDir('berth-e2e-skopeo-');
  skopeo = skopeoIn(work);
});
after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The content of `path` in the single layer of the image manifest `digest` of an OCI layout. */
function fileInImage(layout: string, digest: string, path: string): string {
  const manifest = readJsonBlob<ImageManifest>(layout, digest);
  const file = layerFiles(readBlob(layout, manifest.layers[0].digest)).get(path);
  assert.ok(file, `${path} is in the layer of ${digest}`);
  return file.toString('utf8');
}

test('skopeo pushes an umoci image, inspects, lists, pulls it back byte for byte and deletes a tag', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  const layout = join(work, 'single');
  const v1 = await buildImage(layout, 'v1', {
    files: { 'hello.txt': 'hello from berth\n' },
    env: ['GREETING=hello'],
    cmd: ['/hello.txt'],
  });
  await buildImage(layout, 'v2', { files: { 'hello.txt': 'second\n' } });
  const manifest = readJsonBlob<ImageManifest>(layout, v1.digest);
  const repo = `docker://${server.host}/library/app`;

  await skopeo([
    'copy',
    '--preserve-digests',
    '--dest-tls-verify=false',
    '--dest-creds',
    adminCredentials,
    `oci:${layout}:v1`,
    `${repo}:v1`,
  ]);
  await skopeo([
    'copy',
    '--preserve-digests',
    '--dest-tls-verify=false',
    '--dest-creds',
    adminCredentials,
    `oci:${layout}:v2`,
    `${repo}:v2`,
  ]);

  const inspect = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `${repo}:v1`])) as Inspect;
  assert.equal(inspect.Name, `${server.host}/library/app`);
  assert.equal(inspect.Digest, v1.digest);
  assert.deepEqual([...inspect.RepoTags].sort(), ['v1', 'v2']);
  assert.deepEqual(
    inspect.Layers,
    manifest.layers.map((l) => l.digest),
  );
  assert.equal(inspect.Architecture, 'amd64');
  assert.ok(inspect.Env?.includes('GREETING=hello'), `Env has GREETING=hello: ${JSON.stringify(inspect.Env)}`);
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `${repo}:v1`]);
  assert.equal(raw, readBlob(layout, v1.digest).toString('utf8'), 'the manifest comes back exactly as pushed');

  const tags = JSON.parse(await skopeo(['list-tags', '--tls-verify=false', repo])) as { Tags: string[] };
  assert.deepEqual([...tags.Tags].sort(), ['v1', 'v2']);

  const back = join(work, 'single-back');
  await skopeo(['copy', '--src-tls-verify=false', `${repo}:v1`, `oci:${back}:v1`]);
  assert.equal(resolveTag(back, 'v1').digest, v1.digest);
  const pulled = readJsonBlob<ImageManifest>(back, v1.digest);
  assert.deepEqual(
    pulled.layers.map((l) => l.digest),
    manifest.layers.map((l) => l.digest),
  );
  assert.equal(pulled.config.digest, manifest.config.digest);
  const config = readJsonBlob<{ config: { Env?: string[]; Cmd?: string[] } }>(back, pulled.config.digest);
  assert.deepEqual(config.config.Cmd, ['/hello.txt']);
  assert.deepEqual(readBlob(back, manifest.layers[0].digest), readBlob(layout, manifest.layers[0].digest));
  assert.equal(fileInImage(back, v1.digest, 'hello.txt'), 'hello from berth\n');

  await skopeo(['delete', '--tls-verify=false', '--creds', adminCredentials, `${repo}:v1`]);
  const remaining = JSON.parse(await skopeo(['list-tags', '--tls-verify=false', repo])) as { Tags: string[] };
  assert.deepEqual(remaining.Tags, ['v2']);
  await assert.rejects(skopeo(['inspect', '--tls-verify=false', `${repo}:v1`]), (err: ExecError) =>
    /manifest unknown/i.test(err.stderr),
  );
});

test('skopeo copy --all pushes a multi-arch index; --override-arch pulls one platform back', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  const layout = join(work, 'multi');
  const amd64 = await buildImage(layout, 'amd64', { files: { 'arch.txt': 'amd64\n' }, architecture: 'amd64' });
  const arm64 = await buildImage(layout, 'arm64', { files: { 'arch.txt': 'arm64\n' }, architecture: 'arm64' });
  const index = writeIndex(layout, 'multi', [
    { tag: 'amd64', platform: { architecture: 'amd64', os: 'linux' } },
    { tag: 'arm64', platform: { architecture: 'arm64', os: 'linux' } },
  ]);
  const ref = `docker://${server.host}/library/multi:v1`;

  await skopeo([
    'copy',
    '--all',
    '--preserve-digests',
    '--dest-tls-verify=false',
    '--dest-creds',
    adminCredentials,
    `oci:${layout}:multi`,
    ref,
  ]);

  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', ref]);
  assert.equal(raw, readBlob(layout, index.digest).toString('utf8'), 'the index comes back exactly as pushed');
  const pushed = JSON.parse(raw) as ImageIndex;
  assert.equal(pushed.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(
    pushed.manifests.map((m) => [m.platform?.architecture, m.digest]),
    [
      ['amd64', amd64.digest],
      ['arm64', arm64.digest],
    ],
  );
  const armInspect = JSON.parse(
    await skopeo(['--override-arch', 'arm64', 'inspect', '--tls-verify=false', ref]),
  ) as Inspect;
  assert.equal(armInspect.Architecture, 'arm64');
  assert.equal(armInspect.Digest, index.digest, 'inspect reports the digest of the reference, the index');

  const all = join(work, 'multi-back');
  await skopeo(['copy', '--all', '--src-tls-verify=false', ref, `oci:${all}:multi`]);
  assert.equal(resolveTag(all, 'multi').digest, index.digest);
  assert.equal(readBlob(all, index.digest).toString('utf8'), raw);
  assert.equal(fileInImage(all, amd64.digest, 'arch.txt'), 'amd64\n');
  assert.equal(fileInImage(all, arm64.digest, 'arch.txt'), 'arm64\n');

  const arm = join(work, 'arm-back');
  await skopeo(['--override-arch', 'arm64', 'copy', '--src-tls-verify=false', ref, `oci:${arm}:arm`]);
  assert.equal(resolveTag(arm, 'arm').digest, arm64.digest);
  assert.equal(fileInImage(arm, arm64.digest, 'arch.txt'), 'arm64\n');
});

test('skopeo copies registry to registry across repositories and as Docker schema2', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  const layout = join(work, 'cross');
  const image = await buildImage(layout, 'v1', { files: { 'cross.txt': 'cross\n' } });
  const manifest = readJsonBlob<ImageManifest>(layout, image.digest);
  // Two private projects: the copy reads with --src-creds and writes with --dest-creds.
  for (const project of ['team-a', 'team-b']) {
    const created = await api(server, 'POST', '/projects', {
      body: { project_name: project, metadata: { public: 'false' } },
    });
    assert.equal(created.status, 201);
  }
  const source = `docker://${server.host}/team-a/app:v1`;
  await skopeo([
    'copy',
    '--preserve-digests',
    '--dest-tls-verify=false',
    '--dest-creds',
    adminCredentials,
    `oci:${layout}:v1`,
    source,
  ]);

  // Same registry: skopeo offers the blobs with ?mount=&from=team-a/app before uploading.
  const target = `docker://${server.host}/team-b/nested/app:v1`;
  await assert.rejects(
    skopeo(['inspect', '--tls-verify=false', source]),
    /unauthorized|authentication required/i,
    'team-a is private',
  );
  await skopeo([
    'copy',
    '--preserve-digests',
    '--src-tls-verify=false',
    '--src-creds',
    adminCredentials,
    '--dest-tls-verify=false',
    '--dest-creds',
    adminCredentials,
    source,
    target,
  ]);
  const copied = JSON.parse(
    await skopeo(['inspect', '--tls-verify=false', '--creds', adminCredentials, target]),
  ) as Inspect;
  assert.equal(copied.Digest, image.digest);
  assert.deepEqual(
    copied.Layers,
    manifest.layers.map((l) => l.digest),
  );

  const docker = `docker://${server.host}/team-b/nested/app:docker`;
  await skopeo([
    'copy',
    '--format',
    'v2s2',
    '--src-tls-verify=false',
    '--src-creds',
    adminCredentials,
    '--dest-tls-verify=false',
    '--dest-creds',
    adminCredentials,
    source,
    docker,
  ]);
  const raw = JSON.parse(
    await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', adminCredentials, docker]),
  ) as ImageManifest;
  assert.equal(raw.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(raw.config.mediaType, 'application/vnd.docker.container.image.v1+json');
  assert.deepEqual(
    raw.layers.map((l) => l.digest),
    manifest.layers.map((l) => l.digest),
    'the gzip layers are reused unchanged',
  );
  const back = join(work, 'docker-back');
  await skopeo(['copy', '--src-tls-verify=false', '--src-creds', adminCredentials, docker, `oci:${back}:v1`]);
  assert.equal(fileInImage(back, resolveTag(back, 'v1').digest, 'cross.txt'), 'cross\n');
});
