import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockDataDir } from '../../src/cli/data-dir-lock.js';
import { openDatabase } from '../../src/db/index.js';
import { blobPath as storePath } from '../../src/registry/paths.js';
import { adminAuth, api } from '../helpers/api.js';
import { adminCredentials, startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { buildImage, readJsonBlob, type ImageManifest } from '../helpers/images.js';
import { createProject } from '../helpers/projects.js';
import { media, pushImage, pushIndex, pushManifest, sha256 } from '../helpers/push.js';
import { bucketKeys, createTestBucket, deleteTestBucket, needS3, testS3Client, testS3Config } from '../helpers/s3.js';
import { scaleOutProfile } from '../helpers/scale-out.js';
import { storedBlobExists } from '../helpers/stored.js';
import { needTool } from '../helpers/tools.js';
import { cliPath, profileEnv, runCli } from './cli-run.js';
import { skopeoIn, skopeoPushArgs } from './clients.js';

// Garbage collection with real clients: what deleted images leave goes from the disk (files
// and emptied folders) or the bucket, what remains pulls with every digest verifying;
// delete_untagged spares index members and subjects of accessories; the time window keeps
// what is recent; `berth gc` does the same from the command line, one run at a time.

interface GcRun {
  id: number;
  job_kind: string;
  job_status: string;
  progress: { blobs_swept: number; manifests_deleted: number; freed_bytes: number };
}

async function runGc(server: TestBerth, parameters: Record<string, unknown>): Promise<GcRun> {
  const res = await api(server, 'POST', '/system/gc/schedule', { body: { schedule: { type: 'Manual' }, parameters } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const id = Number((res.headers.get('location') ?? '').split('/').pop());
  for (let i = 0; i < 600; i++) {
    const run = await api<GcRun>(server, 'GET', `/system/gc/${id}`);
    if (run.body.job_status === 'Success') return run.body;
    assert.ok(['Pending', 'Running'].includes(run.body.job_status), JSON.stringify(run.body));
    await sleep(100);
  }
  assert.fail(`GC run ${id} did not finish`);
}

async function deleteArtifact(server: TestBerth, project: string, repository: string, digest: string): Promise<void> {
  const res = await api(server, 'DELETE', `/projects/${project}/repositories/${repository}/artifacts/${digest}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

/** The blobs of an image in an OCI layout: manifest, config and layers. */
function imageBlobs(layout: string, digest: string): { config: string; layers: string[] } {
  const manifest = readJsonBlob<ImageManifest>(layout, digest);
  return { config: manifest.config.digest, layers: manifest.layers.map((l) => l.digest) };
}

/** Every blob of a pulled OCI layout hashes to its name. */
function assertLayoutVerifies(layout: string): number {
  const dir = join(layout, 'blobs', 'sha256');
  let count = 0;
  for (const name of readdirSync(dir)) {
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex'),
      name,
    );
    count++;
  }
  return count;
}

test('skopeo: deleted images free their unshared blobs (and empty folders); the rest pulls verified', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  const server = await startTestBerth();
  const work = tempDir('berth-e2e-gc-');
  t.after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });
  const skopeo = skopeoIn(work);
  const layout = join(work, 'images');
  const shared = await buildImage(layout, 'shared', { files: { 'shared.txt': 'in two repositories\n' } });
  const gone = await buildImage(layout, 'gone', { files: { 'gone.txt': 'deleted, then collected\n' } });
  const push = (tag: string, target: string) => skopeo(skopeoPushArgs(layout, tag, server.host, target));
  await push('shared', 'library/one:shared');
  await push('shared', 'library/two:shared');
  await push('gone', 'library/one:gone');
  await deleteArtifact(server, 'library', 'one', shared.digest);
  await deleteArtifact(server, 'library', 'one', gone.digest);

  // With Harbor's default time window, nothing just deleted goes.
  const kept = await runGc(server, {});
  assert.equal(kept.progress.blobs_swept, 0);
  const goneBlobs = imageBlobs(layout, gone.digest);
  for (const digest of [goneBlobs.config, ...goneBlobs.layers])
    assert.equal(await storedBlobExists(server.dataDir, digest), true);

  const run = await runGc(server, { time_window: 0, workers: 3 });
  assert.equal(run.progress.blobs_swept, 2, JSON.stringify(run.progress));
  for (const digest of [goneBlobs.config, ...goneBlobs.layers]) {
    assert.equal(await storedBlobExists(server.dataDir, digest), false, `${digest} is gone`);
    if (scaleOutProfile) continue;
    // The two-letter folder goes too once nothing else is in it.
    const folder = join(server.dataDir, 'storage', storePath(digest), '..');
    if (existsSync(folder)) assert.ok(readdirSync(folder).length > 0, `${folder} left empty`);
  }
  const sharedBlobs = imageBlobs(layout, shared.digest);
  for (const digest of [sharedBlobs.config, ...sharedBlobs.layers])
    assert.equal(await storedBlobExists(server.dataDir, digest), true, `${digest} is still referenced`);

  const pulled = join(work, 'pulled');
  await skopeo([
    'copy',
    '--src-tls-verify=false',
    '--src-creds',
    adminCredentials,
    `docker://${server.host}/library/two:shared`,
    `oci:${pulled}:shared`,
  ]);
  assert.equal(assertLayoutVerifies(pulled), 3);
  const gonePull = await fetch(`${server.url}/v2/library/one/blobs/${goneBlobs.layers[0]}`, {
    headers: { authorization: adminAuth },
  });
  assert.equal(gonePull.status, 404);
});

test('delete_untagged removes an untagged artifact, not an index member nor the subject of an accessory', async (t) => {
  const server = await startTestBerth();
  t.after(() => server.close());
  await createProject(server, 'tidy');
  const untag = async (repository: string, digest: string, tag: string) => {
    const res = await api(
      server,
      'DELETE',
      `/projects/tidy/repositories/${repository}/artifacts/${digest}/tags/${tag}`,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const lonely = await pushImage(server, 'tidy/app', 'lonely');
  await untag('app', lonely.digest, 'lonely');
  const member = await pushImage(server, 'tidy/app', 'member', { architecture: 'arm64' });
  await pushIndex(server, 'tidy/app', 'multi', [{ ...member, platform: { os: 'linux', architecture: 'arm64' } }]);
  await untag('app', member.digest, 'member');
  const subject = await pushImage(server, 'tidy/app', 'signed');
  const signatureConfig = Buffer.from('{}');
  const configDigest = sha256(signatureConfig);
  await fetch(`${server.url}/v2/tidy/app/blobs/uploads/?digest=${configDigest}`, {
    method: 'POST',
    headers: { authorization: adminAuth, 'content-type': 'application/octet-stream' },
    body: signatureConfig,
  });
  const accessory = await pushManifest(
    server,
    'tidy/app',
    'signature',
    {
      schemaVersion: 2,
      mediaType: media.ociManifest,
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: 2 }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    },
    media.ociManifest,
  );
  await untag('app', accessory.digest, 'signature');
  await untag('app', subject.digest, 'signed');

  const run = await runGc(server, { delete_untagged: true, time_window: 0 });
  assert.equal(run.progress.manifests_deleted, 1, JSON.stringify(run.progress));
  const status = async (digest: string) =>
    (
      await fetch(`${server.url}/v2/tidy/app/manifests/${digest}`, {
        headers: { authorization: adminAuth, accept: `${media.ociManifest}, ${media.ociIndex}` },
      })
    ).status;
  assert.equal(await status(lonely.digest), 404);
  assert.equal(await storedBlobExists(server.dataDir, lonely.configDigest!), false);
  assert.equal(await status(member.digest), 200);
  assert.equal(await status(subject.digest), 200);
  assert.equal(await status(accessory.digest), 200);
  assert.equal(await storedBlobExists(server.dataDir, member.configDigest!), true);
  // The deletion is in the audit log, as garbage collection's.
  const audit = await api<{ operation: string; resource: string; username: string }[]>(
    server,
    'GET',
    `/audit-logs?q=${encodeURIComponent('username=gc')}`,
  );
  assert.deepEqual(
    audit.body.map((e) => [e.operation, e.resource]),
    [['delete', `tidy/app:${lonely.digest}`]],
  );
});

test('on S3: the collected blobs are gone from the bucket, the referenced ones stay', async (t) => {
  if (!(await needS3(t))) return;
  const client = testS3Client();
  const bucket = await createTestBucket(client, 'berth-gc');
  const server = await startTestBerth({ storage: { type: 's3', disableredirect: true, s3: testS3Config(bucket) } });
  t.after(async () => {
    await server.close();
    await deleteTestBucket(client, bucket);
  });
  const gone = await pushImage(server, 'library/app', 'gone');
  const kept = await pushImage(server, 'library/app', 'kept');
  await deleteArtifact(server, 'library', 'app', gone.digest);
  const key = (digest: string) => storePath(digest);
  assert.ok((await bucketKeys(client, bucket)).includes(key(gone.configDigest!)));

  const run = await runGc(server, { time_window: 0 });
  assert.equal(run.progress.blobs_swept, 2);
  const keys = await bucketKeys(client, bucket);
  assert.ok(!keys.includes(key(gone.configDigest!)), `${gone.configDigest} left in the bucket`);
  assert.ok(keys.includes(key(kept.configDigest!)));
  assert.equal(
    (
      await fetch(`${server.url}/v2/library/app/manifests/kept`, {
        headers: { authorization: adminAuth, accept: media.ociManifest },
      })
    ).status,
    200,
  );
});

test('berth gc: a dry run, a run with a progress bar and its summary, recorded in the history; one at a time', async (t) => {
  if (!existsSync(cliPath)) {
    if (process.env.CI === 'true') assert.fail(`${cliPath} is missing: build first (npx tsc -p tsconfig.build.json)`);
    t.skip(`${cliPath} is missing: build first (npx tsc -p tsconfig.build.json)`);
    return;
  }
  const dataDir = tempDir('berth-e2e-gc-cli-');
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = await profileEnv(dataDir);
  let server = await startTestBerth({ dataDir });
  const gone = await pushImage(server, 'library/app', 'gone');
  await pushImage(server, 'library/app', 'kept');
  await deleteArtifact(server, 'library', 'app', gone.digest);
  const databaseUrl = server.berth.config.database.url;
  await server.close();
  if (!scaleOutProfile) {
    // A `berth serve` on the data directory holds its lock; that server's caches would not hear of the deletions.
    const lock = lockDataDir(dataDir);
    try {
      const refused = await runCli(['gc', '--data-dir', dataDir], { env });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^berth: a Berth server is running on dataDir .*Clean Up page/m);
    } finally {
      lock.release();
    }
  }

  const db = openDatabase(databaseUrl);
  try {
    const until = new Date(Date.now() + 60_000).toISOString();
    await db.kysely.insertInto('gc_lease').values({ name: 'gc', holder: 'gc-run-77', expires_at: until }).execute();
    const busy = await runCli(['gc', '--data-dir', dataDir], { env });
    assert.equal(busy.code, 1);
    assert.match(
      busy.stderr,
      /^berth: garbage collection run 77 is going on \(its lease runs until .*\): one run at a time/m,
    );
    await db.kysely.updateTable('gc_lease').set({ holder: '', expires_at: '' }).execute();
  } finally {
    await db.close();
  }

  const dry = await runCli(['gc', '--dry-run', '--time-window', '0', '--data-dir', dataDir], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^2 blobs, 0 manifests, 0\.0 MiB would be freed$/m);
  assert.match(dry.stderr, /blobs \(dry run\) \[#+\] 100%/);
  assert.equal(await storedBlobExists(dataDir, gone.configDigest!), true);

  const real = await runCli(['gc', '--time-window', '0', '--workers', '2', '--data-dir', dataDir], { env });
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /^2 blobs, 0 manifests, 0\.0 MiB freed$/m);
  assert.match(real.stderr, /blobs \[#+\] 100%/);
  const id = Number(/garbage collection run (\d+)/.exec(real.stdout)?.[1]);
  assert.equal(await storedBlobExists(dataDir, gone.configDigest!), false);

  const bad = await runCli(['gc', '--workers', '9', '--data-dir', dataDir], { env });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--workers <n>.*must be 1 to 5/);

  server = await startTestBerth({ dataDir });
  t.after(() => server.close());
  const history = await api<GcRun[]>(server, 'GET', '/system/gc');
  assert.deepEqual(
    history.body.slice(0, 2).map((r) => [r.id, r.job_kind, r.job_status]),
    [
      [id, 'MANUAL', 'Success'],
      [id - 1, 'MANUAL', 'Success'],
    ],
  );
  assert.equal(history.body[0]!.progress.blobs_swept, 2);
  const log = await api<string>(server, 'GET', `/system/gc/${id}/log`);
  assert.match(log.body, new RegExp(`deleted blob ${gone.configDigest}`));
  assert.match(log.body, /2 blobs, 0 manifests, 0\.0 MiB freed/);
  assert.equal(
    (
      await fetch(`${server.url}/v2/library/app/manifests/kept`, {
        headers: { authorization: adminAuth, accept: media.ociManifest },
      })
    ).status,
    200,
  );
});
