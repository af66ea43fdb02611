import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnBerth, tempDir } from '../helpers/berth.js';
import { testDatabaseKind } from '../helpers/database.js';
import { OciClient, type Blob, type Manifest } from '../helpers/oci.js';
import { scaleOutProfile } from '../helpers/scale-out.js';
import { cliPath, runCli } from './cli-run.js';

// `berth backup <dir>` on the embedded default (SQLite + filesystem storage), taken while the
// server runs and pushes go on, restored into a fresh data directory: every image pushed
// before the backup pulls back with every digest verified.

const embeddedOnly =
  testDatabaseKind === 'postgres' || scaleOutProfile
    ? 'berth backup copies the embedded default (SQLite + filesystem storage); this profile runs PostgreSQL'
    : false;

let work: string;
before(() => {
  assert.ok(existsSync(cliPath), `${cliPath} is missing: run npm run build`);
  work = tempDir('berth-e2e-backup-');
});
after(() => rmSync(work, { recursive: true, force: true }));

type Image = Manifest & { config: Blob; layers: Blob[]; repository: string; tag: string };

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Pulls the image by tag and each of its blobs, verifying every digest. */
async function pullVerified(client: OciClient, image: Image): Promise<void> {
  const res = await client.fetch(`/v2/${image.repository}/manifests/${image.tag}`, {
    headers: { accept: image.mediaType },
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, `${image.repository}:${image.tag}`);
  assert.equal(sha256(bytes), image.digest);
  assert.equal(res.headers.get('docker-content-digest'), image.digest);
  for (const blob of [image.config, ...image.layers]) {
    const blobRes = await client.fetch(`/v2/${image.repository}/blobs/${blob.digest}`);
    const blobBytes = new Uint8Array(await blobRes.arrayBuffer());
    assert.equal(blobRes.status, 200, `${image.repository}@${blob.digest}`);
    assert.equal(sha256(blobBytes), blob.digest);
  }
}

test(
  'berth backup of a running Berth, restored into a fresh data directory, serves every image pushed before it',
  { skip: embeddedOnly },
  async () => {
    const dataDir = join(work, 'source');
    const backupDir = join(work, 'backup');
    const source = await spawnBerth(['--port', '0', '--data-dir', dataDir]);
    const images: Image[] = [];
    let during = 0;
    try {
      const client = new OciClient(source.url);
      for (let i = 0; i < 3; i++) {
        const [repository, tag] = [`library/backup-${i}`, `v${i}`];
        images.push({ ...(await client.pushImage(repository, tag, { layerCount: 3 })), repository, tag });
      }
      // Pushes go on while the backup runs: whatever of them the copy holds is extra.
      let pushing = true;
      const pusher = (async () => {
        for (; pushing; during++) await client.pushImage('library/during', `t${during}`);
      })();
      const result = await runCli(['backup', backupDir, '--data-dir', dataDir]);
      pushing = false;
      await pusher;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /blobs +\[#+\] 100%/, `a progress bar:\n${result.stderr}`);
      assert.match(result.stderr, /berth: backup in .*: berth\.db \(.*\) and \d+ blob files/);
    } finally {
      assert.equal(await source.stop(), 0);
    }

    const restored = join(work, 'restored');
    mkdirSync(restored);
    cpSync(join(backupDir, 'berth.db'), join(restored, 'berth.db'));
    cpSync(join(backupDir, 'storage'), join(restored, 'storage'), { recursive: true });
    const target = await spawnBerth(['--port', '0', '--data-dir', restored]);
    try {
      const client = new OciClient(target.url);
      for (const image of images) await pullVerified(client, image);
      assert.ok(during > 0, 'pushes ran during the backup');
    } finally {
      await target.stop();
    }
  },
);

test('berth backup on PostgreSQL says it copies only the embedded default and points to the procedure', async () => {
  const result = await runCli(['backup', join(work, 'pg-backup'), '--data-dir', join(work, 'pg')], {
    env: { BERTH_DATABASE_URL: 'postgres://berth:pw@127.0.0.1:1/berth' },
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr.trim(), /^berth: berth backup copies the embedded default only .*"Backup and restore"/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});
