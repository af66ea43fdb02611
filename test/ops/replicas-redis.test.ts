import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { OciClient, uniqueName } from '../helpers/oci.js';
import { addMember, createProject, createUser } from '../helpers/projects.js';
import { freshRedisDb } from '../helpers/redis.js';

// Two Berths on one data directory (one database: the SQLite file, or on PostgreSQL the
// database the directory names; one blob store) and one Redis (db 13): what one deletes
// or revokes, the other stops serving at once, because each forget is published and the
// other drops its cached entry. SQLite in WAL mode with a busy timeout is safe for
// several connections; here both run in one process.

const url = await freshRedisDb(13);
const skip = !url ? 'Redis is not running' : undefined;

async function pair(redisUrl: string | undefined): Promise<{ a: TestBerth; b: TestBerth; close(): Promise<void> }> {
  const dataDir = tempDir();
  // redis: {} is "no Redis" also in the suite's scale-out profile.
  const extra = { redis: redisUrl ? { url: redisUrl } : {} };
  const a = await startTestBerth({ dataDir, ...extra });
  const b = await startTestBerth({ dataDir, ...extra });
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Pushes through A, reads through B so B caches the manifest and the blob descriptor. */
async function pushAndCache(a: TestBerth, b: TestBerth) {
  const repository = uniqueName('shared');
  const image = await new OciClient(a.url).pushImage(repository, 'v1');
  const viaB = new OciClient(b.url);
  assert.equal((await viaB.send('GET', `/v2/${repository}/manifests/${image.digest}`)).status, 200);
  assert.equal((await viaB.send('HEAD', `/v2/${repository}/blobs/${image.layers[0].digest}`)).status, 200);
  return { repository, image, viaA: new OciClient(a.url), viaB };
}

test('two Berths sharing Redis: deletes and revoked access are seen at once on the other', { skip }, async (t) => {
  const { a, b, close } = await pair(url);
  t.after(close);

  await t.test('a manifest deleted through A is gone on B at once', async () => {
    const { repository, image, viaA, viaB } = await pushAndCache(a, b);
    assert.equal((await viaA.send('DELETE', `/v2/${repository}/manifests/${image.digest}`)).status, 202);
    assert.equal((await viaB.send('GET', `/v2/${repository}/manifests/${image.digest}`)).status, 404);
  });

  await t.test('a blob deleted through A is gone on B at once', async () => {
    const { repository, image, viaA, viaB } = await pushAndCache(a, b);
    const layer = image.layers[0].digest;
    assert.equal((await viaA.send('DELETE', `/v2/${repository}/blobs/${layer}`)).status, 202);
    assert.equal((await viaB.send('HEAD', `/v2/${repository}/blobs/${layer}`)).status, 404);
  });

  await t.test('a member removed through A loses access on B at once', async () => {
    const project = `p${Date.now().toString(36)}`;
    await createProject(a, project);
    const user = await createUser(a, `u${Date.now().toString(36)}`);
    const memberId = await addMember(a, project, user.username, 3);
    const asUser = new OciClient(b.url, user.auth);
    const image = await new OciClient(a.url).pushImage(`${project}/app`, 'v1');
    assert.equal((await asUser.send('GET', `/v2/${project}/app/manifests/${image.digest}`)).status, 200);
    assert.equal((await api(a, 'DELETE', `/projects/${project}/members/${memberId}`)).status, 200);
    const res = await asUser.send('GET', `/v2/${project}/app/manifests/${image.digest}`);
    assert.ok(res.status === 401 || res.status === 403, `status ${res.status}`);
  });
});

test('control: without Redis, B keeps serving a manifest A deleted from its cache', { skip }, async (t) => {
  const { a, b, close } = await pair(undefined);
  t.after(close);
  const { repository, image, viaA, viaB } = await pushAndCache(a, b);
  assert.equal((await viaA.send('DELETE', `/v2/${repository}/manifests/${image.digest}`)).status, 202);
  assert.equal((await viaA.send('GET', `/v2/${repository}/manifests/${image.digest}`)).status, 404);
  assert.equal(
    (await viaB.send('GET', `/v2/${repository}/manifests/${image.digest}`)).status,
    200,
    'the stale cache entry this suite exists to invalidate',
  );
});

test(
  'two deployments sharing one Redis db under different redis.prefix keep their job queues apart',
  { skip },
  async (t) => {
    const dataDir = tempDir();
    // Deployment 1: A and B (one database, prefix "one"); deployment 2: C (its own database, prefix "two").
    const a = await startTestBerth({ dataDir, redis: { url, prefix: 'one' } });
    const b = await startTestBerth({ dataDir, redis: { url, prefix: 'one' } });
    const c = await startTestBerth({ redis: { url, prefix: 'two' } });
    t.after(async () => {
      for (const server of [a, b, c]) await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const pools = async (server: TestBerth) =>
      (await api<{ pid: number; worker_pool_id: string }[]>(server, 'GET', '/jobservice/pools')).body.map(
        (p) => p.worker_pool_id,
      );
    const [poolsA, poolsC] = [await pools(a), await pools(c)];
    assert.equal(poolsA.length, 2, 'deployment one sees the pools of A and B');
    assert.equal(poolsC.length, 1, 'deployment two sees only its own pool');
    assert.ok(!poolsA.includes(poolsC[0]));

    // Within deployment one, the invalidation still travels under its prefix.
    const { repository, image, viaA, viaB } = await pushAndCache(a, b);
    assert.equal((await viaA.send('DELETE', `/v2/${repository}/manifests/${image.digest}`)).status, 202);
    assert.equal((await viaB.send('GET', `/v2/${repository}/manifests/${image.digest}`)).status, 404);
  },
);
