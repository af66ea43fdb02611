import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { adminAuthorization, adminCredentials, startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { needTool } from '../helpers/tools.js';
import { layerFiles, type ImageManifest } from '../helpers/images.js';
import { buildahIn, podmanIn } from './clients.js';

// buildah builds and pushes, podman pulls: the two clients that run containers from Berth.
// Both keep their image store in the test's temporary directory (vfs needs no kernel
// overlay support) and use their own signature policy and registries.conf.

interface PodmanImage {
  Id: string;
  Digest: string;
  RepoDigests: string[];
  Size: number;
  Architecture: string;
  Config: { Env?: string[]; Cmd?: string[] };
  RootFS: { Layers: string[] };
}

let server: TestBerth;
let work: string;

before(async () => {
  server = await startTestBerth();
  work = tempDir('berth-e2e-buildah-');
});
after(async () => {
  await server?.close();
  // vfs layers are plain directories owned by the test's user: removable without the tools.
  rmSync(work, { recursive: true, force: true });
});

test('buildah pushes an image built from scratch; podman pulls it with the same digest, layers and size', async (t) => {
  if (!needTool(t, 'buildah') || !needTool(t, 'podman')) return;
  const { buildah, policy } = buildahIn(work);
  const { podman } = podmanIn(work);

  const container = (await buildah(['from', '--signature-policy', policy, 'scratch'])).trim();
  const source = join(work, 'hello.txt');
  writeFileSync(source, 'hello from buildah\n');
  await buildah(['copy', container, source, '/hello.txt']);
  await buildah(['config', '--env', 'GREETING=hello', '--cmd', '/hello.txt', container]);
  await buildah(['commit', '--signature-policy', policy, container, 'localhost/berth-e2e:v1']);
  const digestFile = join(work, 'pushed.digest');
  const ref = `${server.host}/library/buildah:v1`;
  await buildah([
    'push',
    '--signature-policy',
    policy,
    '--tls-verify=false',
    '--creds',
    adminCredentials,
    '--digestfile',
    digestFile,
    'localhost/berth-e2e:v1',
    `docker://${ref}`,
  ]);
  const pushedDigest = readFileSync(digestFile, 'utf8').trim();
  assert.match(pushedDigest, /^sha256:[0-9a-f]{64}$/);

  // What Berth holds: the manifest under the pushed digest, and its layer.
  const manifestRes = await fetch(`${server.url}/v2/library/buildah/manifests/v1`, {
    headers: {
      authorization: adminAuthorization,
      accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  assert.equal(manifestRes.status, 200);
  assert.equal(manifestRes.headers.get('docker-content-digest'), pushedDigest);
  const manifestBytes = Buffer.from(await manifestRes.arrayBuffer());
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
  assert.equal(manifest.layers.length, 1);
  const layer = Buffer.from(
    await (
      await fetch(`${server.url}/v2/library/buildah/blobs/${manifest.layers[0].digest}`, {
        headers: { authorization: adminAuthorization },
      })
    ).arrayBuffer(),
  );
  const tar = gunzipSync(layer);
  assert.equal(layerFiles(layer).get('hello.txt')?.toString('utf8'), 'hello from buildah\n');

  await podman(['pull', '--signature-policy', policy, '--tls-verify=false', ref]);
  const [image] = JSON.parse(await podman(['image', 'inspect', ref])) as PodmanImage[];
  assert.equal(image.Digest, pushedDigest);
  assert.ok(
    image.RepoDigests.includes(`${server.host}/library/buildah@${pushedDigest}`),
    JSON.stringify(image.RepoDigests),
  );
  assert.equal(`sha256:${image.Id}`, manifest.config.digest, 'the image ID is the config digest');
  assert.deepEqual(
    image.RootFS.Layers,
    [`sha256:${createHash('sha256').update(tar).digest('hex')}`],
    'the layer diff ID is the digest of the tar podman unpacked',
  );
  assert.equal(image.Architecture, process.arch === 'x64' ? 'amd64' : process.arch);
  assert.ok(image.Config.Env?.includes('GREETING=hello'));
  assert.deepEqual(image.Config.Cmd, ['/hello.txt']);
  // containers/storage counts the unpacked layer, the config and the manifest (podman 4.3: kept under two keys).
  const unpacked = tar.length + manifest.config.size;
  assert.ok(
    image.Size >= unpacked && image.Size <= unpacked + 2 * manifestBytes.length,
    `Size ${image.Size} is the unpacked ${unpacked} bytes + metadata`,
  );
});
