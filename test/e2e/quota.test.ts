import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { api } from '../helpers/api.js';
import { adminCredentials, startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { buildImage, readJsonBlob, resolveTag, type Descriptor, type ImageManifest } from '../helpers/images.js';
import { media, pushBlob, pushManifest, sha256 } from '../helpers/push.js';
import { exec, needTool, type ExecError } from '../helpers/tools.js';
import { openDatabase } from '../../src/db/index.js';
import { podmanIn, skopeoIn, skopeoPushArgs } from './clients.js';
import { cliPath, runCli } from './cli-run.js';

// Quotas with real clients: usage counted exactly as Harbor counts it (distinct blobs per
// project), pushes over the limit refused with Harbor's message as skopeo and podman show it,
// and `berth quota verify [--fix]` agreeing with the usage after 50 parallel pushes and deletes.

interface Quota {
  id: number;
  ref: { id: number; name: string };
  hard: { storage: number };
  used: { storage: number };
}

const harborRefusal =
  /Quota exceeded when processing the request of adding [\d.]+ [KMG]?i?B of storage resource, which when updated to current usage of [\d.]+ [KMG]?i?B will exceed the configured upper limit of [\d.]+ [KMG]?i?B\./;

let server: TestBerth;
let work: string;
let layout: string;
let skopeo: (args: string[]) => Promise<string>;

before(async () => {
  server = await startTestBerth();
  work = tempDir('berth-e2e-quota-');
  layout = join(work, 'layout');
  skopeo = skopeoIn(work);
});
after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function createProject(name: string, storageLimit?: number): Promise<number> {
  const res = await api(server, 'POST', '/projects', {
    body: { project_name: name, metadata: { public: 'false' }, ...(storageLimit && { storage_limit: storageLimit }) },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return Number((res.headers.get('location') ?? '').split('/').pop());
}

async function quotaOf(projectId: number): Promise<Quota> {
  const res = await api<Quota[]>(server, 'GET', `/quotas?reference=project&reference_id=${projectId}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.length, 1);
  return res.body[0];
}

/** Text that gzip cannot shrink much: the layer's size follows the amount. */
const noise = (bytes: number) => randomBytes(bytes).toString('base64');

/** An image on top of `from`'s layers with one more layer holding `files` (umoci unpack + repack). */
async function deriveImage(from: string, tag: string, files: Record<string, string>): Promise<Descriptor> {
  const bundle = `${layout}.bundle-${tag}`;
  await exec('umoci', ['unpack', '--rootless', '--image', `${layout}:${from}`, bundle]);
  try {
    for (const [path, content] of Object.entries(files)) {
      const target = join(bundle, 'rootfs', path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    await exec('umoci', ['repack', '--image', `${layout}:${tag}`, bundle]);
  } finally {
    rmSync(bundle, { recursive: true, force: true });
  }
  return resolveTag(layout, tag);
}

/** Harbor's usage of the images `tags` of the layout in one project: the sizes of their distinct blobs and manifests. */
function storedBytes(tags: string[]): number {
  const sizes = new Map<string, number>();
  for (const tag of tags) {
    const top = resolveTag(layout, tag);
    sizes.set(top.digest, top.size);
    const manifest = readJsonBlob<ImageManifest>(layout, top.digest);
    for (const d of [manifest.config, ...manifest.layers]) sizes.set(d.digest, d.size);
  }
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

function copyArgs(tag: string, target: string): string[] {
  return skopeoPushArgs(layout, tag, server.host, target);
}

test('usage is exact: a shared base layer counts once per project, in each project; a delete frees; a copy counts in the target', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  await buildImage(layout, 'base', { files: { 'base.txt': noise(96 * 1024) } });
  const a = await deriveImage('base', 'a', { 'a.txt': noise(32 * 1024) });
  await deriveImage('base', 'b', { 'b.txt': noise(48 * 1024) });
  const shop = await createProject('shop');
  const other = await createProject('other');

  await skopeo(copyArgs('a', 'shop/a:v1'));
  assert.equal((await quotaOf(shop)).used.storage, storedBytes(['a']));
  await skopeo(copyArgs('b', 'shop/b:v1'));
  const both = storedBytes(['a', 'b']);
  assert.ok(both < storedBytes(['a']) + storedBytes(['b']), 'the images share their base layer');
  assert.equal((await quotaOf(shop)).used.storage, both, 'the shared base layer counts once in the project');

  await skopeo(copyArgs('a', 'other/a:v1'));
  assert.equal((await quotaOf(other)).used.storage, storedBytes(['a']), 'and again in another project');
  assert.equal((await quotaOf(shop)).used.storage, both, 'the other project does not change this one');

  const removed = await api(server, 'DELETE', `/projects/shop/repositories/a/artifacts/${a.digest}`);
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  assert.equal((await quotaOf(shop)).used.storage, storedBytes(['b']), 'the delete frees what only it referenced');

  const copies = await createProject('copies');
  const copied = await api(
    server,
    'POST',
    `/projects/copies/repositories/a/artifacts?from=${encodeURIComponent(`other/a@${a.digest}`)}`,
  );
  assert.equal(copied.status, 201, JSON.stringify(copied.body));
  assert.equal((await quotaOf(copies)).used.storage, storedBytes(['a']), 'a copy counts in the target project');
  assert.equal((await quotaOf(other)).used.storage, storedBytes(['a']), 'and the source keeps its usage');
});

test("skopeo and podman pushes over the limit fail with Harbor's message; nothing of them is counted or visible", async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci') || !needTool(t, 'podman')) return;
  if (!existsSync(join(layout, 'index.json')))
    await buildImage(layout, 'base', { files: { 'base.txt': noise(96 * 1024) } });
  await deriveImage('base', 'small', { 'small.txt': noise(8 * 1024) });
  await deriveImage('base', 'big', { 'big.txt': noise(256 * 1024) });
  const tight = await createProject('tight', storedBytes(['small']) + 64 * 1024);
  for (let i = 0; (await quotaOf(tight)).hard.storage < 0 && i < 50; i++) await sleep(40);

  await skopeo(copyArgs('small', 'tight/app:small'));
  const used = storedBytes(['small']);
  assert.equal((await quotaOf(tight)).used.storage, used);

  const refused = await skopeo(copyArgs('big', 'tight/app:big')).then(
    () => assert.fail('skopeo pushed over the quota'),
    (err: unknown) => err as ExecError,
  );
  assert.match(refused.stderr, harborRefusal, 'skopeo shows the refusal');
  assert.match(refused.stderr, /denied/i);

  const { podman, policy } = podmanIn(work);
  // podman names an image from an OCI layout after its path, which must then be lower case.
  const lowercase = join(tmpdir(), `berth-quota-${randomBytes(6).toString('hex')}`);
  symlinkSync(layout, lowercase);
  const pulled = await podman(['pull', '--signature-policy', policy, `oci:${lowercase}:big`]).finally(() =>
    rmSync(lowercase, { force: true }),
  );
  const imageId = pulled.trim().split('\n').pop() ?? '';
  const podmanRefused = await podman([
    'push',
    '--tls-verify=false',
    '--creds',
    adminCredentials,
    imageId,
    `docker://${server.host}/tight/app:podman`,
  ]).then(
    () => assert.fail('podman pushed over the quota'),
    (err: unknown) => err as ExecError,
  );
  assert.match(podmanRefused.stderr, harborRefusal, 'podman shows the refusal');

  assert.equal((await quotaOf(tight)).used.storage, used, 'the refused pushes count nothing');
  for (const tag of ['big', 'podman']) {
    const res = await api(server, 'GET', `/projects/tight/repositories/app/artifacts/${tag}`);
    assert.equal(res.status, 404, `${tag} is not an artifact`);
  }
  const exceeded = await api<unknown[]>(
    server,
    'GET',
    `/audit-logs?q=${encodeURIComponent('operation=quota_exceeded,resource=~tight')}`,
  );
  assert.ok(exceeded.body.length >= 2, 'each refusal is in the audit log');
});

/** An image of a config, the shared base layer and a layer of its own, pushed over /v2 with fetch. */
async function pushShared(repository: string, tag: string, base: Buffer): Promise<{ digest: string; own: number }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', tag, seed: noise(8) }));
  const layer = randomBytes(2048 + Math.floor(Math.random() * 2048));
  await pushBlob(server, repository, config);
  await pushBlob(server, repository, base);
  await pushBlob(server, repository, layer);
  const pushed = await pushManifest(
    server,
    repository,
    tag,
    {
      schemaVersion: 2,
      mediaType: media.ociManifest,
      config: { mediaType: media.ociConfig, digest: sha256(config), size: config.length },
      layers: [
        { mediaType: media.ociLayer, digest: sha256(base), size: base.length },
        { mediaType: media.ociLayer, digest: sha256(layer), size: layer.length },
      ],
    },
    media.ociManifest,
  );
  return { digest: pushed.digest, own: config.length + layer.length + pushed.size };
}

function cliEnv(): NodeJS.ProcessEnv {
  return { BERTH_DATABASE_URL: server.berth.config.database.url };
}

test('after 50 parallel pushes and deletes the usage equals a recount: berth quota verify finds no drift, --fix corrects one', async () => {
  assert.ok(existsSync(cliPath), `${cliPath} is missing: run npm run build`);
  const busy = await createProject('busy');
  const base = randomBytes(16 * 1024);
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const repository = `busy/r${i % 5}`;
      const pushed = await pushShared(repository, `t${i}`, base);
      if (i % 2 === 1) {
        const res = await api(server, 'DELETE', `/projects/busy/repositories/r${i % 5}/artifacts/${pushed.digest}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return 0;
      }
      return pushed.own;
    }),
  );
  const expected = base.length + outcomes.reduce((a, b) => a + b, 0);
  assert.equal((await quotaOf(busy)).used.storage, expected, 'usage is exact after the concurrent pushes and deletes');

  const clean = await runCli(['quota', 'verify', '--data-dir', server.dataDir], { env: cliEnv() });
  assert.equal(clean.code, 0, clean.stderr + clean.stdout);
  assert.match(clean.stdout, /^usage of \d+ projects verified: no drift$/m);

  // A drift made behind Berth's back: the recorded usage no longer matches the artifacts.
  const db = openDatabase(server.berth.config.database.url, server.berth.config.database);
  try {
    await db.kysely.updateTable('project_storage').set({ used: 12345 }).where('project_id', '=', busy).execute();
  } finally {
    await db.close();
  }
  const drifted = await runCli(['quota', 'verify', '--data-dir', server.dataDir], { env: cliEnv() });
  assert.equal(drifted.code, 1, drifted.stderr + drifted.stdout);
  assert.match(
    drifted.stdout,
    new RegExp(`project busy \\(id ${busy}\\): recorded .*\\(12345 B\\), actual .*\\(${expected} B\\)`),
  );
  assert.match(drifted.stdout, /verified: 1 drifted$/m);
  assert.match(drifted.stderr, /projects \[#+\] 100%/, 'a progress bar on stderr');

  const fixed = await runCli(['quota', 'verify', '--fix', '--data-dir', server.dataDir], { env: cliEnv() });
  assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout);
  assert.match(fixed.stdout, /project busy .*: fixed$/m);
  assert.equal((await quotaOf(busy)).used.storage, expected, 'the API shows the corrected usage');
  const again = await runCli(['quota', 'verify', '--data-dir', server.dataDir], { env: cliEnv() });
  assert.equal(again.code, 0);
  assert.match(again.stdout, /no drift/);
});
