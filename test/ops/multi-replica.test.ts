import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { spawnBerth, tempDir, type BerthProcess } from '../helpers/berth.js';
import { createPostgresDatabase, dropPostgresDatabase, postgresUnavailable, postgresUrl } from '../helpers/database.js';
import { OciClient, randomBlob, uniqueName } from '../helpers/oci.js';
import { freshRedisDb } from '../helpers/redis.js';
import { createTestBucket, deleteTestBucket, s3Endpoint, s3Unavailable, testS3Client } from '../helpers/s3.js';
import { deploymentEnv } from '../helpers/scale-out.js';

// Berth scaled out as the README's "Scale out" section runs it: two `core` processes and
// one `jobservice` process (the built CLI, separate OS processes) sharing one PostgreSQL
// database, one Redis (db 15, this file's own) and one S3 bucket. Blob GETs answer 307
// to a presigned S3 URL, as in production.

const redisUrl = await freshRedisDb(15);
const skip =
  (await postgresUnavailable()) ?? (!redisUrl ? 'Redis is not running on 127.0.0.1:6379' : await s3Unavailable());

interface Cluster {
  coreA: BerthProcess;
  coreB: BerthProcess;
  jobservice: BerthProcess;
  /** Starts one more process of the cluster (same database, Redis and bucket). */
  start(role: 'core' | 'jobservice'): Promise<BerthProcess>;
  close(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  const s3 = testS3Client();
  const bucket = await createTestBucket(s3, 'berth-replicas');
  const database = await createPostgresDatabase();
  const dirs: string[] = [];
  const processes: BerthProcess[] = [];
  const env = {
    ...deploymentEnv({ databaseUrl: postgresUrl(database), redisUrl: redisUrl!, bucket, maxOpenConns: 4 }),
    // Every 2 s, so a test can watch several firings; sessions idle 1.8 s are abandoned.
    BERTH_REGISTRY_UPLOAD_PURGE_SCHEDULE: '*/2 * * * * *',
    BERTH_REGISTRY_UPLOAD_PURGE_AGE_HOURS: '0.0005',
  };
  async function start(role: 'core' | 'jobservice'): Promise<BerthProcess> {
    const dir = tempDir('berth-replica-');
    dirs.push(dir);
    const child = await spawnBerth(['--role', role, '--port', '0', '--data-dir', dir], env);
    processes.push(child);
    return child;
  }
  // The first process migrates; the others start together and find the schema in place.
  const coreA = await start('core');
  const [coreB, jobservice] = await Promise.all([start('core'), start('jobservice')]);
  return {
    coreA,
    coreB,
    jobservice,
    start,
    async close() {
      for (const child of processes) await child.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await dropPostgresDatabase(database);
      await deleteTestBucket(s3, bucket);
      await freshRedisDb(15);
    },
  };
}

/** The path and query of an upload Location, to send it to another replica. */
function pathOf(location: string): string {
  const url = new URL(location, 'http://replica');
  return url.pathname + url.search;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Lines of a process's JSON log with this message. */
function logged(child: BerthProcess, message: string): Record<string, unknown>[] {
  return child
    .output()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('two core replicas and a job service on PostgreSQL, Redis and S3', { skip, timeout: 180_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  const viaA = new OciClient(cluster.coreA.url);
  const viaB = new OciClient(cluster.coreB.url);

  await t.test('each process reports its role and the shared parts healthy', async () => {
    for (const child of [cluster.coreA, cluster.coreB]) {
      const res = await fetch(`${child.url}/api/v2.0/health`);
      const body = (await res.json()) as { status: string; components: { name: string; status: string }[] };
      assert.equal(body.status, 'healthy', JSON.stringify(body));
      assert.deepEqual(
        body.components.map((c) => c.name),
        ['core', 'database', 'redis', 'storage', 'jobservice'],
      );
    }
    // The jobservice process serves only operations: health, ping and metrics.
    assert.equal((await fetch(`${cluster.jobservice.url}/api/v2.0/ping`)).status, 200);
    assert.equal((await fetch(`${cluster.jobservice.url}/v2/`)).status, 404);
    const pools = (await (await viaA.fetch('/api/v2.0/jobservice/pools')).json()) as { pid: number }[];
    assert.deepEqual(
      pools.map((p) => p.pid),
      [cluster.jobservice.child.pid],
      'the only worker pool is the jobservice process',
    );
  });

  await t.test('an image pushed through A pulls through B, bytes and digests intact', async () => {
    const repository = uniqueName('replicas');
    const image = await viaA.pushImage(repository, 'v1', { layerCount: 3 });
    const manifest = await viaB.fetch(`/v2/${repository}/manifests/v1`, { headers: { accept: image.mediaType } });
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers.get('docker-content-digest'), image.digest);
    assert.equal(sha256(Buffer.from(await manifest.arrayBuffer())), image.digest);
    for (const layer of image.layers) {
      const redirect = await viaB.fetch(`/v2/${repository}/blobs/${layer.digest}`, { redirect: 'manual' });
      await redirect.arrayBuffer();
      assert.equal(redirect.status, 307, 'S3 serves blob bytes through a presigned URL');
      assert.ok(redirect.headers.get('location')?.startsWith(s3Endpoint), redirect.headers.get('location') ?? '');
      const pulled = await viaB.fetch(`/v2/${repository}/blobs/${layer.digest}`);
      assert.equal(pulled.status, 200);
      assert.equal(sha256(Buffer.from(await pulled.arrayBuffer())), layer.digest);
    }
    const { tags } = await viaB.tags(repository);
    assert.deepEqual(tags, ['v1']);
  });

  await t.test('a chunked upload whose PATCHes alternate between A and B completes with the right digest', async () => {
    const repository = uniqueName('chunks');
    // 6 chunks of 5 MiB + a tail: each replica receives parts the other started.
    const blob = randomBlob(6 * 5 * 1024 * 1024 + 12_345);
    const chunk = 5 * 1024 * 1024;
    let location = await viaA.startUpload(repository);
    for (let offset = 0, i = 0; offset < blob.size; offset += chunk, i++) {
      const via = i % 2 === 0 ? viaB : viaA;
      const part = blob.bytes.subarray(offset, Math.min(offset + chunk, blob.size));
      const res = await via.fetch(pathOf(location), {
        method: 'PATCH',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + part.length - 1}`,
        },
        body: part,
      });
      await res.arrayBuffer();
      assert.equal(res.status, 202, `chunk ${i} through ${i % 2 === 0 ? 'B' : 'A'}`);
      assert.equal(res.headers.get('range'), `0-${offset + part.length - 1}`);
      location = res.headers.get('location')!;
    }
    // The status of the session is the same on both replicas.
    for (const via of [viaA, viaB]) {
      const status = await via.send('GET', pathOf(location));
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), `0-${blob.size - 1}`);
    }
    const done = await viaA.send(
      'PUT',
      `${pathOf(location)}${location.includes('?') ? '&' : '?'}digest=${blob.digest}`,
    );
    assert.equal(done.status, 201);
    assert.equal(done.headers.get('docker-content-digest'), blob.digest);
    const pulled = await viaB.fetch(`/v2/${repository}/blobs/${blob.digest}`);
    assert.equal(pulled.status, 200);
    assert.equal(sha256(Buffer.from(await pulled.arrayBuffer())), blob.digest);
  });

  await t.test('what A deletes is gone on B at once', async () => {
    const repository = uniqueName('deletes');
    const image = await viaA.pushImage(repository, 'v1');
    // B reads first, so it holds the manifest and the blob descriptor in its caches.
    assert.equal((await viaB.send('GET', `/v2/${repository}/manifests/${image.digest}`)).status, 200);
    assert.equal((await viaB.send('HEAD', `/v2/${repository}/blobs/${image.layers[0].digest}`)).status, 200);
    assert.equal((await viaA.send('DELETE', `/v2/${repository}/manifests/${image.digest}`)).status, 202);
    assert.equal((await viaB.send('GET', `/v2/${repository}/manifests/${image.digest}`)).status, 404);
    assert.equal((await viaB.send('GET', `/v2/${repository}/manifests/v1`)).status, 404);
    assert.equal((await viaA.send('DELETE', `/v2/${repository}/blobs/${image.layers[0].digest}`)).status, 202);
    assert.equal((await viaB.send('HEAD', `/v2/${repository}/blobs/${image.layers[0].digest}`)).status, 404);
  });

  await t.test('a tag moved through B is read through A at once', async () => {
    const repository = uniqueName('moves');
    const first = await viaA.pushImage(repository, 'latest');
    assert.equal(
      (await viaA.send('HEAD', `/v2/${repository}/manifests/latest`)).headers.get('docker-content-digest'),
      first.digest,
    );
    const second = await viaB.pushImage(repository, 'latest');
    assert.equal(
      (await viaA.send('HEAD', `/v2/${repository}/manifests/latest`)).headers.get('docker-content-digest'),
      second.digest,
    );
  });

  await t.test('the upload purge schedule fires once per slot across two job service processes', async () => {
    const second = await cluster.start('jobservice');
    // An upload session started on A and left idle: the purge job removes it.
    const abandoned = await viaA.startUpload(uniqueName('abandoned'));
    await until(
      'the abandoned session to be purged',
      async () => (await viaB.send('GET', pathOf(abandoned))).status === 404,
    );
    // Let both job service processes tick through several more slots.
    const jobservices = [cluster.jobservice, second];
    const firings = () =>
      jobservices.flatMap((child) => logged(child, 'schedule fired')).filter((line) => line.job === 'UPLOAD_PURGE');
    await until('four firings', () => firings().length >= 4);
    const fired = firings().sort((x, y) => String(x.slot).localeCompare(String(y.slot)));
    const slots = fired.map((line) => String(line.slot));
    assert.equal(new Set(slots).size, slots.length, `a slot fired twice: ${JSON.stringify(fired)}`);
    // Each firing's job ran once, on one of the job service processes (the newest may still run).
    const executions = fired.slice(0, -1).map((line) => String(line.execution));
    await until('the earlier firings to finish', () =>
      executions.every((id) =>
        jobservices.some((child) => logged(child, 'job succeeded').some((line) => line.id === id)),
      ),
    );
    const ran = jobservices.flatMap((child) => logged(child, 'job succeeded'));
    for (const id of executions)
      assert.equal(ran.filter((line) => line.id === id).length, 1, `execution ${id} ran once: ${JSON.stringify(ran)}`);
  });
});
