import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { spawnBerth, type BerthProcess } from '../helpers/berth.js';
import { createPostgresDatabase, dropPostgresDatabase, postgresUrl } from '../helpers/database.js';
import { needHelm } from '../helpers/helm.js';
import { mediaTypes, OciClient, uniqueName } from '../helpers/oci.js';
import { freshRedisDb, testRedisBase } from '../helpers/redis.js';
import { berthContainers, receivedConfig } from './berth-config.js';
import { helmTemplate, secretData } from './render.js';

// Issue 5's last "Done when": Berth started locally with the configuration the chart
// renders for external PostgreSQL and Redis (this machine's), taking an image push.

/** This file's Redis db index (see test/helpers/redis.ts: one index per test file). */
const redisDb = 14;
const adminPassword = 'Chart-rendered-Pw1';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fresh database on the test PostgreSQL; undefined (test skipped) when it is not running by hand, an error under CI. */
async function needPostgresDatabase(t: TestContext): Promise<string | undefined> {
  try {
    return await createPostgresDatabase();
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    t.skip(`PostgreSQL is not reachable: ${String(err)}`);
    return undefined;
  }
}

/** Chart values pointing at the test PostgreSQL and Redis (127.0.0.1:5432 and :6379 unless BERTH_TEST_*_URL say otherwise). */
function values(port: number, database: string): string {
  const postgres = new URL(postgresUrl(database));
  const redis = new URL(testRedisBase);
  return `
externalURL: http://127.0.0.1:${port}
harborAdminPassword: ${JSON.stringify(adminPassword)}
database:
  type: external
  external:
    host: ${postgres.hostname}
    port: "${postgres.port || 5432}"
    username: ${decodeURIComponent(postgres.username)}
    # The CI server trusts local connections; the chart requires a password, which trust ignores.
    password: unused
    coreDatabase: ${database}
    sslmode: disable
  # The test PostgreSQL is shared by the whole suite: a small pool.
  maxOpenConns: 4
  maxIdleConns: 2
redis:
  type: external
  external:
    addr: ${redis.hostname}:${redis.port || 6379}
    coreDatabaseIndex: "${redisDb}"
persistence:
  imageChartStorage:
    type: filesystem
`;
}

describe('Berth runs with the configuration the chart renders (external PostgreSQL and Redis)', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('core starts from the rendered berth.yml, env and args, takes a push with the rendered admin password, and reports database and redis healthy', async (t) => {
    const helm = await needHelm(t);
    if (!helm) return;
    const redisUrl = await freshRedisDb(redisDb);
    if (!redisUrl) return t.skip(`Redis is not running at ${testRedisBase}`);
    const database = await needPostgresDatabase(t);
    if (!database) return;
    cleanups.push(() => dropPostgresDatabase(database));

    const port = await freePort();
    const r = await helmTemplate(helm, { inline: values(port, database) });
    const core = berthContainers(r).find((c) => c.object.kind === 'Deployment' && c.container.args?.includes('core'));
    assert.ok(core, 'the render has a core Deployment running berth');
    const received = receivedConfig(r, core.template, core.container);
    assert.equal(received.config.role, 'core');
    assert.equal(received.env.BERTH_ADMIN_PASSWORD, adminPassword);
    assert.equal(received.config.redis.url, redisUrl);

    // Only what cannot hold outside Kubernetes changes: http.port (the pod's 8080 → a free
    // port, the one externalURL names), dataDir (/var/lib/berth, an emptyDir/PVC mount) and
    // storage.filesystem.rootdirectory (/storage, the registry PVC mount) → temp dirs.
    const work = mkdtempSync(join(tmpdir(), 'berth-run-rendered-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    const file = parseYaml(received.fileText) as {
      http: { port: number };
      dataDir: string;
      storage: { filesystem: { rootdirectory: string } };
    };
    assert.equal(file.dataDir, '/var/lib/berth');
    assert.equal(file.storage.filesystem.rootdirectory, '/storage');
    file.http.port = port;
    file.dataDir = join(work, 'data');
    file.storage.filesystem.rootdirectory = join(work, 'storage');
    const configFile = join(work, 'berth.yml');
    writeFileSync(configFile, stringifyYaml(file));

    // The container's own arguments, with the ConfigMap mount path replaced by the temp file.
    const args = core.container.args!.map((arg) => (arg.startsWith('/etc/berth/') ? configFile : arg));
    const berth: BerthProcess = await spawnBerth(args, received.env);
    cleanups.push(() => berth.stop());
    assert.equal(berth.host, `127.0.0.1:${port}`);

    // The readiness probe the chart renders answers.
    const probePath = core.container.readinessProbe?.httpGet?.path;
    assert.ok(probePath, 'core has an HTTP readiness probe');
    assert.equal((await fetch(`http://127.0.0.1:${port}${probePath}`)).status, 200);

    const client = new OciClient(
      berth.url,
      `Basic ${Buffer.from(`admin:${secretData(r.get('Secret', 'berth-core')).HARBOR_ADMIN_PASSWORD}`).toString('base64')}`,
    );
    const repository = uniqueName('chart');
    const pushed = await client.pushImage(repository, 'v1');
    const res = await client.fetch(`/v2/${repository}/manifests/v1`, { headers: { accept: mediaTypes.ociManifest } });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-content-digest'), pushed.digest);
    assert.deepEqual(body, Buffer.from(pushed.bytes));
    const layer = await client.fetch(`/v2/${repository}/blobs/${pushed.layers[0].digest}`);
    assert.equal(layer.status, 200);
    assert.deepEqual(Buffer.from(await layer.arrayBuffer()), Buffer.from(pushed.layers[0].bytes));

    // The push landed where the rendered configuration points: PostgreSQL's fresh database and the storage directory.
    const pgClient = new pg.Client({ connectionString: postgresUrl(database) });
    await pgClient.connect();
    try {
      const { rows } = await pgClient.query<{ digest: string }>('SELECT digest FROM artifacts');
      assert.deepEqual(
        rows.map((row) => row.digest),
        [pushed.digest],
      );
    } finally {
      await pgClient.end();
    }
    assert.ok(
      readdirSync(join(work, 'storage'), { recursive: true }).length > 0,
      'blobs are under storage.filesystem.rootdirectory',
    );
    const artifact = await client.fetch(
      `/api/v2.0/projects/library/repositories/${encodeURIComponent(repository.slice('library/'.length))}/artifacts/v1`,
    );
    assert.equal(artifact.status, 200, await artifact.clone().text());
    assert.equal(((await artifact.json()) as { digest: string }).digest, pushed.digest);

    const health = (await (await fetch(`http://127.0.0.1:${port}/api/v2.0/health`)).json()) as {
      components: { name: string; status: string; error?: string }[];
    };
    for (const name of ['database', 'redis']) {
      const component = health.components.find((c) => c.name === name);
      assert.equal(component?.status, 'healthy', `${name}: ${JSON.stringify(component)}`);
    }
  });
});
