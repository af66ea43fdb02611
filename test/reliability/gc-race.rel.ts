import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminAuthorization, spawnBerth, tempDir, type BerthProcess } from '../helpers/berth.js';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  postgresUnavailable,
  postgresUrl,
  testDatabaseKind,
} from '../helpers/database.js';
import { freshRedisDb } from '../helpers/redis.js';
import { createTestBucket, deleteTestBucket, s3Unavailable, testS3Client } from '../helpers/s3.js';
import { deploymentEnv } from '../helpers/scale-out.js';
import { cliBuilt, printSummary, startReliabilityBerth, type ReliabilityBerth } from './support/server.js';

// Garbage collection racing pushes. GC runs back to back with a time window of a few seconds
// while 50 clients push images whose layers are those of deleted images (old enough for the
// window, so each collection wants them), the way docker pushes (HEAD, cross-repository mount,
// upload, manifest PUT), and delete some of what they pushed, which makes more layers garbage
// for later collections. A push GC got in the way of is refused (MANIFEST_BLOB_UNKNOWN, or an
// upload told to start again) and retried, as a user re-runs `docker push`. Afterwards, and
// after one more collection, every acknowledged push that was not deleted pulls whole: each
// manifest and blob hashes to its digest.
//
// On SQLite and PostgreSQL: one server. On PostgreSQL, also the scaled-out deployment: two
// core replicas and a jobservice sharing PostgreSQL, Redis and S3, each client alternating
// between the cores.

const clients = 50;
/** Per deployment: pushes per client, and the collections' time window (what was uploaded or referenced this recently is kept). */
interface RaceShape {
  imagesPerClient: number;
  /** Longer than a push takes there under this load: on two replicas with S3, several seconds. */
  windowSeconds: number;
}
const sharedLayers = 24;
const oldImages = 16;
const maxAttempts = 12;
const manifestType = 'application/vnd.oci.image.manifest.v1+json';
const layerType = 'application/vnd.oci.image.layer.v1.tar+gzip';
const configType = 'application/vnd.oci.image.config.v1+json';
const auth = { authorization: adminAuthorization };

interface Blob {
  digest: string;
  bytes: Buffer;
}

interface Acknowledged {
  base: string;
  repository: string;
  tag: string;
  digest: string;
  manifest: Buffer;
  blobs: Blob[];
  deleted: boolean;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const blobOf = (bytes: Buffer): Blob => ({ digest: sha256(bytes), bytes });
const randomLayer = () => blobOf(randomBytes(2048 + Math.floor(Math.random() * 16384)));

class Refused extends Error {}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
}

async function expectStatus(res: Response, statuses: number[], what: string): Promise<Response> {
  if (statuses.includes(res.status)) return res;
  const body = await res.text();
  // A 4xx is the registry refusing a push GC got in the way of: the client pushes again.
  if (res.status >= 400 && res.status < 500) throw new Refused(`${what}: ${res.status} ${body.slice(0, 200)}`);
  throw new Error(`${what}: ${res.status} ${body.slice(0, 300)}`);
}

/** docker's order: HEAD, then a mount from a repository that had the blob, else an upload. */
async function pushBlob(base: string, repository: string, blob: Blob, mountFrom?: string): Promise<void> {
  const head = await fetch(`${base}/v2/${repository}/blobs/${blob.digest}`, { method: 'HEAD', headers: auth });
  if (head.status === 200) return;
  if (mountFrom) {
    const mount = await fetch(`${base}/v2/${repository}/blobs/uploads/?mount=${blob.digest}&from=${mountFrom}`, {
      method: 'POST',
      headers: auth,
    });
    await expectStatus(mount, [201, 202], `mount ${blob.digest}`);
    await mount.arrayBuffer();
    if (mount.status === 201) return;
    const location = new URL(mount.headers.get('location') ?? '', base);
    location.searchParams.set('digest', blob.digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: blob.bytes,
    });
    await expectStatus(put, [201], `upload ${blob.digest}`);
    await put.arrayBuffer();
    return;
  }
  const post = await fetch(`${base}/v2/${repository}/blobs/uploads/?digest=${blob.digest}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: blob.bytes,
  });
  await expectStatus(post, [201], `upload ${blob.digest}`);
  await post.arrayBuffer();
}

function imageOf(layers: Blob[]): { manifest: Buffer; blobs: Blob[] } {
  const config = blobOf(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed: randomBytes(8).toString('hex') })),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestType,
      config: { mediaType: configType, digest: config.digest, size: config.bytes.length },
      layers: layers.map((l) => ({ mediaType: layerType, digest: l.digest, size: l.bytes.length })),
    }),
  );
  return { manifest, blobs: [config, ...layers] };
}

async function pushImage(
  bases: [string, string],
  repository: string,
  tag: string,
  image: { manifest: Buffer; blobs: Blob[] },
  mountFrom?: string,
): Promise<void> {
  // Blobs to one replica, the manifest to the other (the same server when there is one).
  for (const blob of image.blobs) await pushBlob(bases[0], repository, blob, mountFrom);
  // A client takes its time between the blobs and the manifest (docker uploads layers in parallel first).
  await sleep(Math.random() * 150);
  const put = await fetch(`${bases[1]}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': manifestType },
    body: image.manifest,
  });
  await expectStatus(put, [201], `manifest ${repository}:${tag}`);
  await put.arrayBuffer();
}

async function deleteImage(base: string, repository: string, digest: string): Promise<void> {
  const res = await fetch(`${base}/v2/${repository}/manifests/${digest}`, { method: 'DELETE', headers: auth });
  await expectStatus(res, [202], `delete ${repository}@${digest}`);
  await res.arrayBuffer();
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/api/v2.0${path}`, {
    method,
    headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

interface GcOutcome {
  status: string;
  swept: number;
  freedBytes: number;
}

/** One manual collection through Harbor's API, waited for. */
async function collect(base: string, windowHours: number): Promise<GcOutcome> {
  for (;;) {
    const res = await api(base, 'POST', '/system/gc/schedule', {
      schedule: { type: 'Manual' },
      parameters: { delete_untagged: true, dry_run: false, time_window: windowHours, workers: 3 },
    });
    if (res.status === 201) {
      const id = (res.headers.get('location') ?? '').split('/').pop();
      for (;;) {
        const run = (await (await api(base, 'GET', `/system/gc/${id}`)).json()) as {
          job_status: string;
          progress?: { blobs_swept: number; freed_bytes: number };
        };
        if (['Success', 'Error', 'Stopped'].includes(run.job_status))
          return {
            status: run.job_status,
            swept: run.progress?.blobs_swept ?? 0,
            freedBytes: run.progress?.freed_bytes ?? 0,
          };
        await sleep(50);
      }
    }
    // Another collection holds the deployment's lease: wait for it.
    assert.ok([409, 412].includes(res.status), `GC trigger: ${res.status} ${await res.text()}`);
    await sleep(100);
  }
}

async function assertWhole(base: string, image: Acknowledged): Promise<void> {
  const res = await fetch(`${base}/v2/${image.repository}/manifests/${image.digest}`, {
    headers: { ...auth, accept: manifestType },
  });
  assert.equal(res.status, 200, `${image.repository}@${image.digest}: ${res.status}`);
  assert.equal(sha256(Buffer.from(await res.arrayBuffer())), image.digest);
  for (const blob of image.blobs) {
    const got = await fetch(`${base}/v2/${image.repository}/blobs/${blob.digest}`, { headers: auth });
    assert.equal(got.status, 200, `${image.repository} blob ${blob.digest}: ${got.status}`);
    assert.equal(sha256(Buffer.from(await got.arrayBuffer())), blob.digest, `blob ${blob.digest} corrupt`);
  }
}

/** The race on servers `bases` (one, or two replicas of one deployment). */
async function race(bases: string[], label: string, { imagesPerClient, windowSeconds }: RaceShape): Promise<void> {
  const windowHours = windowSeconds / 3600;
  const pick = (i: number) => bases[i % bases.length]!;
  const pool = Array.from({ length: sharedLayers }, randomLayer);
  // Images whose layers become garbage once deleted: the clients push those layers again.
  for (let i = 0; i < oldImages; i++) {
    const image = imageOf([pool[i % sharedLayers]!, pool[(i * 7 + 3) % sharedLayers]!, randomLayer()]);
    await pushImage([pick(0), pick(1)], 'library/gc-old', `v${i}`, image);
    await deleteImage(pick(i), 'library/gc-old', sha256(image.manifest));
  }
  // Now the deleted images' layers are older than the window: every collection wants them.
  await sleep(windowSeconds * 1000 + 500);

  let pushing = true;
  const runs: GcOutcome[] = [];
  const loop = (async () => {
    while (pushing) runs.push(await collect(pick(runs.length), windowHours));
  })();

  const acknowledged: Acknowledged[] = [];
  const durations: number[] = [];
  let refusals = 0;
  let failedPushes = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const repository = `library/gc-race-${c % 10}`;
      // Layers of this client's own that become garbage whenever it deletes the image holding them.
      const own = [randomLayer(), randomLayer()];
      for (let k = 0; k < imagesPerClient; k++) {
        const layers = [pool[(c + k) % sharedLayers]!, ...own, randomLayer()];
        const image = imageOf(layers);
        const tag = `c${c}-${k}`;
        const bases: [string, string] = [pick(c + k), pick(c + k + 1)];
        let pushed = false;
        for (let attempt = 1; attempt <= maxAttempts && !pushed; attempt++) {
          try {
            const started = performance.now();
            await pushImage(bases, repository, tag, image, k % 2 === 0 ? 'library/gc-old' : undefined);
            durations.push(performance.now() - started);
            pushed = true;
          } catch (err) {
            if (!(err instanceof Refused)) throw err;
            refusals++;
            await sleep(20 * attempt);
          }
        }
        if (!pushed) {
          failedPushes++;
          continue;
        }
        const entry: Acknowledged = {
          base: bases[1],
          repository,
          tag,
          digest: sha256(image.manifest),
          manifest: image.manifest,
          blobs: image.blobs,
          deleted: false,
        };
        acknowledged.push(entry);
        if (k % 2 === 0 && k < imagesPerClient - 1) {
          // Delete it, and let the window pass: the next push finds its own layers present
          // (HEAD 200, no upload) just as the window lets the collections take them.
          await deleteImage(pick(c), repository, entry.digest);
          entry.deleted = true;
          await sleep(windowSeconds * 1000 - 150 + Math.random() * 300);
        }
      }
    }),
  );
  pushing = false;
  await loop;

  const kept = acknowledged.filter((a) => !a.deleted);
  for (const image of kept) await assertWhole(pick(kept.indexOf(image)), image);
  // One more collection with nothing racing it and no window: still nothing referenced goes.
  const last = await collect(pick(0), 0);
  assert.equal(last.status, 'Success');
  for (const image of kept) await assertWhole(pick(kept.indexOf(image) + 1), image);

  const swept = runs.reduce((sum, r) => sum + r.swept, 0) + last.swept;
  const freed = runs.reduce((sum, r) => sum + r.freedBytes, 0) + last.freedBytes;
  printSummary(`garbage collection racing pushes: ${label}`, [
    ['collections during the pushes', runs.length],
    ['collections that failed', runs.filter((r) => r.status !== 'Success').length],
    ['blobs deleted', swept],
    ['MiB freed', (freed / 1024 / 1024).toFixed(2)],
    ['pushes acknowledged', acknowledged.length],
    ['push time p50 / p99 (ms)', `${percentile(durations, 0.5)} / ${percentile(durations, 0.99)}`],
    ['of which deleted by clients', acknowledged.length - kept.length],
    ['refusals retried by clients', refusals],
    [`pushes refused ${maxAttempts} times`, failedPushes],
  ]);
  assert.ok(runs.length >= 3, `only ${runs.length} collections ran during the pushes`);
  assert.deepEqual(
    runs.filter((r) => r.status !== 'Success'),
    [],
    'every collection succeeds',
  );
  assert.ok(swept > 0, 'the collections deleted blobs');
  assert.equal(failedPushes, 0, 'every push went through within its retries');
  assert.equal(acknowledged.length, clients * imagesPerClient);
}

describe('garbage collection racing 50 pushing clients', { concurrency: false }, () => {
  let berth: ReliabilityBerth | undefined;
  before(async () => {
    assert.ok(cliBuilt, 'the reliability tests run the built CLI: run `npx tsc -p tsconfig.build.json` first');
    berth = await startReliabilityBerth();
  });
  after(async () => berth?.close());

  test(`one server (${testDatabaseKind === 'postgres' ? 'PostgreSQL' : 'SQLite'}, local directory)`, async () => {
    await race([berth!.url], 'one server', { imagesPerClient: 6, windowSeconds: 4 });
  });
});

describe('garbage collection racing 50 pushing clients on two replicas (PostgreSQL, Redis, S3)', () => {
  test('two core replicas and a jobservice', async (t) => {
    if (testDatabaseKind !== 'postgres') return t.skip('runs with the PostgreSQL reliability run');
    const redisUrl = await freshRedisDb(8);
    const missing =
      (await postgresUnavailable()) ?? (!redisUrl ? 'Redis is not running on 127.0.0.1:6379' : await s3Unavailable());
    if (missing) {
      assert.ok(!process.env.CI, missing);
      return t.skip(missing);
    }
    const s3 = testS3Client();
    const bucket = await createTestBucket(s3, 'berth-gc-race');
    const database = await createPostgresDatabase();
    const dirs: string[] = [];
    const processes: BerthProcess[] = [];
    const env = {
      ...deploymentEnv({ databaseUrl: postgresUrl(database), redisUrl: redisUrl!, bucket, maxOpenConns: 8 }),
      BERTH_STORAGE_DISABLEREDIRECT: 'true',
    };
    const start = async (role: 'core' | 'jobservice') => {
      const dir = tempDir('berth-gc-race-');
      dirs.push(dir);
      const child = await spawnBerth(['--role', role, '--port', '0', '--data-dir', dir], env);
      processes.push(child);
      return child;
    };
    try {
      const coreA = await start('core');
      const [coreB] = await Promise.all([start('core'), start('jobservice')]);
      await race([coreA.url, coreB.url], 'two replicas', { imagesPerClient: 4, windowSeconds: 20 });
    } finally {
      for (const child of processes) await child.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await dropPostgresDatabase(database);
      await deleteTestBucket(s3, bucket);
      await freshRedisDb(8);
    }
  });
});
