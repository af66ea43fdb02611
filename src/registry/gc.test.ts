import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openDatabase, type Db } from '../db/index.js';
import { backfillStorageAccounting } from '../db/migrations/007_storage_accounting.js';
import { createEventBus, localRelay } from '../shared/events.js';
import { createLocalLocks } from '../shared/locks.js';
import { createLogger } from '../shared/logger.js';
import { systemClock } from '../shared/clock.js';
import { BerthError } from '../shared/errors.js';
import { createFilesystemStore, type StorageSettings } from '../storage/index.js';
import { createRegistry, type Registry, type StorageGuard } from './index.js';
import { blobPath } from './paths.js';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  postgresUnavailable,
  postgresUrl,
} from '../../test/helpers/database.js';

// The registry's side of garbage collection and storage accounting, on SQLite and
// PostgreSQL: what a collection deletes and keeps, the interleavings a push can meet
// (a blob marked for deletion between upload and manifest PUT, an upload of a blob being
// deleted), and usage counted once per project, exactly, under concurrent pushes and deletes.

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const manifestType = 'application/vnd.oci.image.manifest.v1+json';

interface Fixture {
  db: Db;
  registry: Registry;
  root: string;
  close(): Promise<void>;
}

/** 'sqlite-thread': SQLite with the collection's blob work in a worker thread, as the server runs it. */
type Kind = 'sqlite' | 'sqlite-thread' | 'postgres';

async function fixture(kind: Kind, guard?: StorageGuard): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-gc-'));
  const pgName = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const db = openDatabase(pgName ? postgresUrl(pgName) : `sqlite://${dir}/berth.db`, { maxOpenConns: 8 });
  await db.migrate();
  const now = new Date().toISOString();
  for (const name of ['alpha', 'beta'])
    await db.kysely
      .insertInto('projects')
      .values({ name, owner_id: null, registry_id: null, creation_time: now, update_time: now })
      .execute();
  const root = join(dir, 'storage');
  const registry = createRegistry({
    db: db.kysely,
    store: createFilesystemStore({ root }),
    locks: createLocalLocks(),
    events: createEventBus({ relay: localRelay, onError: () => undefined }),
    clock: systemClock,
    logger: createLogger('silent'),
    maxManifestBytes: 4 * 1024 * 1024,
    cacheBytes: 1024 * 1024,
    storageGuard: guard,
    gcThread:
      kind === 'sqlite-thread' ? { sqlitePath: `${dir}/berth.db`, storage: filesystemStorage(root) } : undefined,
  });
  return {
    db,
    registry,
    root,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
      if (pgName) await dropPostgresDatabase(pgName);
    },
  };
}

function filesystemStorage(root: string): StorageSettings {
  return {
    type: 'filesystem',
    filesystem: { rootdirectory: root },
    s3: {
      region: 'us-east-1',
      forcepathstyle: true,
      rootdirectory: '',
      storageclass: 'STANDARD',
      chunksize: 10 * 1024 * 1024,
      encrypt: false,
      secure: true,
      skipverify: false,
    },
    disableredirect: false,
  };
}

async function* bodyOf(bytes: Buffer) {
  yield bytes;
}

async function upload(registry: Registry, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  await registry.uploads.monolithic(repository, digest, bodyOf(bytes));
  return digest;
}

function manifestOf(blobs: Buffer[]): Buffer {
  const [config, ...layers] = blobs.map((b) => ({
    mediaType: 'application/octet-stream',
    digest: sha256(b),
    size: b.length,
  }));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: manifestType, config, layers }));
}

/** Uploads the blobs and pushes an image manifest naming them; returns the manifest digest. */
async function pushImage(registry: Registry, repository: string, tag: string, blobs: Buffer[]): Promise<string> {
  for (const blob of blobs) await upload(registry, repository, blob);
  return (await registry.manifests.push(repository, tag, manifestOf(blobs), manifestType)).digest;
}

const quiet = () => ({
  deleteUntagged: false,
  dryRun: false,
  timeWindowHours: 0,
  workers: 2,
  signal: new AbortController().signal,
  log: () => undefined,
  progress: () => undefined,
});

async function usageOf(f: Fixture, project: string): Promise<number> {
  const row = await f.db.kysely
    .selectFrom('projects')
    .select('id')
    .where('name', '=', project)
    .executeTakeFirstOrThrow();
  return (await f.registry.storage.usage([row.id])).get(row.id) ?? 0;
}

function emptyFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.length === 0) return [dir];
  return entries.filter((e) => e.isDirectory()).flatMap((e) => emptyFolders(join(dir, e.name)));
}

const skipPostgres = await postgresUnavailable();

for (const kind of ['sqlite', 'sqlite-thread', 'postgres'] as const) {
  describe(`garbage collection and storage accounting (${kind})`, { skip: kind === 'postgres' && skipPostgres }, () => {
    let f: Fixture;
    before(async () => {
      f = await fixture(kind);
    });
    after(async () => f?.close());

    test('a collection deletes unreferenced blobs (and their empty folders), keeps referenced ones', async () => {
      const shared = randomBytes(3000);
      const gone = randomBytes(5000);
      const config = randomBytes(100);
      await pushImage(f.registry, 'alpha/keep', 'v1', [config, shared]);
      const doomed = await pushImage(f.registry, 'alpha/drop', 'v1', [randomBytes(90), shared, gone]);
      await f.registry.manifests.delete('alpha/drop', doomed);
      const summary = await f.registry.collector.collect(quiet());
      assert.ok(summary.blobs >= 2, `deleted ${summary.blobs} blobs`);
      assert.ok(summary.freedBytes >= gone.length + 90);
      assert.equal(existsSync(join(f.root, blobPath(sha256(gone)))), false);
      assert.deepEqual(emptyFolders(join(f.root, 'blobs')), [], 'no empty folder is left');
      assert.equal(existsSync(join(f.root, blobPath(sha256(shared)))), true);
      await assert.rejects(f.registry.blobs.stat('alpha/drop', sha256(gone)), /unknown/);
      const info = await f.registry.blobs.stat('alpha/keep', sha256(shared));
      assert.equal(info.size, shared.length);
    });

    test('the time window keeps blobs uploaded within it; a dry run deletes nothing', async () => {
      const fresh = await upload(f.registry, 'alpha/fresh', randomBytes(700));
      const kept = await f.registry.collector.collect({ ...quiet(), timeWindowHours: 2 });
      assert.equal(existsSync(join(f.root, blobPath(fresh))), true);
      assert.equal(kept.blobs, 0);
      const lines: string[] = [];
      const dry = await f.registry.collector.collect({ ...quiet(), dryRun: true, log: (l) => void lines.push(l) });
      assert.equal(dry.blobs, 1);
      assert.ok(
        lines.some((l) => l.includes(`would delete blob ${fresh} (700 B)`)),
        lines.join('\n'),
      );
      assert.match(lines.at(-1) ?? '', /^1 blobs, 0 manifests, 0\.0 MiB would be freed$/);
      assert.equal(existsSync(join(f.root, blobPath(fresh))), true);
      await f.registry.collector.collect(quiet());
      assert.equal(existsSync(join(f.root, blobPath(fresh))), false);
    });

    test('delete_untagged removes untagged artifacts, not index members or subjects of accessories', async () => {
      const untagged = await pushImage(f.registry, 'alpha/untagged', 'tmp', [randomBytes(50), randomBytes(60)]);
      await f.registry.manifests.delete('alpha/untagged', 'tmp');
      const member = await pushImage(f.registry, 'alpha/untagged', 'member', [randomBytes(50), randomBytes(61)]);
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            { mediaType: manifestType, digest: member, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
          ],
        }),
      );
      // The index's child: its size field is not checked against the stored manifest.
      await f.registry.manifests.push('alpha/untagged', 'list', index, 'application/vnd.oci.image.index.v1+json');
      await f.registry.manifests.delete('alpha/untagged', 'member');
      const subject = await pushImage(f.registry, 'alpha/untagged', 'signed', [randomBytes(50), randomBytes(62)]);
      await f.registry.manifests.delete('alpha/untagged', 'signed');
      const sigBlob = randomBytes(40);
      await upload(f.registry, 'alpha/untagged', sigBlob);
      const emptyConfig = Buffer.from('{}');
      await upload(f.registry, 'alpha/untagged', emptyConfig);
      const signature = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: manifestType,
          artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(emptyConfig), size: 2 },
          layers: [{ mediaType: 'application/octet-stream', digest: sha256(sigBlob), size: sigBlob.length }],
          subject: { mediaType: manifestType, digest: subject, size: 1 },
        }),
      );
      await f.registry.manifests.push('alpha/untagged', sha256(signature), signature, manifestType);
      const lines: string[] = [];
      const dry = await f.registry.collector.collect({ ...quiet(), deleteUntagged: true, dryRun: true });
      const summary = await f.registry.collector.collect({
        ...quiet(),
        deleteUntagged: true,
        log: (l) => void lines.push(l),
      });
      assert.equal(summary.manifests, 1, lines.join('\n'));
      // The dry run foretold exactly what the real run deleted.
      assert.deepEqual({ ...dry, dryRun: false }, summary);
      await assert.rejects(f.registry.manifests.resolve('alpha/untagged', untagged), /unknown/);
      assert.equal((await f.registry.manifests.resolve('alpha/untagged', member)).digest, member);
      assert.equal((await f.registry.manifests.resolve('alpha/untagged', subject)).digest, subject);
      assert.equal((await f.registry.manifests.resolve('alpha/untagged', sha256(signature))).digest, sha256(signature));
    });

    test('a blob marked for deletion between upload and manifest PUT refuses the PUT; pushed again, it is whole', async () => {
      const layer = randomBytes(4000);
      const config = randomBytes(30);
      for (const blob of [config, layer]) await upload(f.registry, 'alpha/race', blob);
      // The collection marks the layer (as gc-queries markDeleting does) before the client's PUT.
      await f.db.kysely.updateTable('blobs').set({ status: 'deleting' }).where('digest', '=', sha256(layer)).execute();
      await assert.rejects(
        f.registry.manifests.push('alpha/race', 'v1', manifestOf([config, layer]), manifestType),
        (err: unknown) => err instanceof BerthError && err.code === 'MANIFEST_BLOB_UNKNOWN',
      );
      // HEAD no longer finds it, so the client uploads it again: that waits until the bytes are gone.
      await assert.rejects(f.registry.blobs.stat('alpha/race', sha256(layer)), /unknown/);
      let reuploaded = false;
      const reupload = upload(f.registry, 'alpha/race', layer).then(() => (reuploaded = true));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(reuploaded, false, 'the upload waits for the collection');
      await f.registry.collector.collect(quiet()); // finishes the 'deleting' blob (and sweeps the config)
      await reupload;
      const digest = await pushImage(f.registry, 'alpha/race', 'v1', [config, layer]);
      assert.equal(digest, sha256(manifestOf([config, layer])));
      await f.registry.collector.collect(quiet());
      const content = await f.registry.blobs.open('alpha/race', sha256(layer), () => undefined);
      const chunks: Buffer[] = [];
      const buffer = Buffer.alloc(8192);
      for (let pos = 0; ;) {
        const { bytesRead } = await content.file!.read(buffer, 0, buffer.length, pos);
        if (bytesRead === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
        pos += bytesRead;
      }
      await content.file!.close();
      assert.equal(sha256(Buffer.concat(chunks)), sha256(layer));
    });

    test('usage counts each distinct blob once per project, in each project holding it, exactly', async () => {
      const base = randomBytes(10_000);
      const before = await usageOf(f, 'beta');
      const a = [randomBytes(11), base, randomBytes(1000)];
      const b = [randomBytes(12), base, randomBytes(2000)];
      const da = await pushImage(f.registry, 'beta/one', 'a', a);
      await pushImage(f.registry, 'beta/two', 'b', b);
      const manifests = manifestOf(a).length + manifestOf(b).length;
      assert.equal(await usageOf(f, 'beta'), before + 11 + 12 + 10_000 + 1000 + 2000 + manifests);
      // A copy into another project counts there too; a second tag counts nothing.
      await f.registry.manifests.copy('beta/one', 'a', 'alpha/copied');
      await f.registry.manifests.tag('beta/one', da, 'again');
      assert.equal(await usageOf(f, 'beta'), before + 11 + 12 + 10_000 + 1000 + 2000 + manifests);
      await f.registry.manifests.delete('beta/one', da);
      assert.equal(await usageOf(f, 'beta'), before + 12 + 10_000 + 2000 + manifestOf(b).length);
      assert.deepEqual(await f.registry.storage.verify({ fix: false }), []);
    });

    test('50 concurrent pushes and deletes leave usage equal to a recount', async () => {
      const shared = Array.from({ length: 5 }, () => randomBytes(2000));
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const repo = `${i % 2 ? 'alpha' : 'beta'}/load-${i % 5}`;
          const digest = await pushImage(f.registry, repo, `t${i}`, [
            randomBytes(20),
            shared[i % 5]!,
            randomBytes(100),
          ]);
          if (i % 3 === 0) await f.registry.manifests.delete(repo, digest);
        }),
      );
      assert.deepEqual(await f.registry.storage.verify({ fix: false }), []);
    });

    test('the guard refuses growth inside the transaction: nothing of the push stays', async () => {
      const limited = await fixture(kind, {
        async grow(_trx, growth) {
          if (growth.usedAfter > 5000) throw new BerthError('DENIED', `over by ${growth.usedAfter - 5000}`);
        },
        async admit(upload) {
          if (upload.used + upload.adding > 5000) throw new BerthError('DENIED', 'upload over');
        },
      });
      try {
        await pushImage(limited.registry, 'alpha/q', 'small', [randomBytes(10), randomBytes(1000)]);
        const used = await usageOf(limited, 'alpha');
        await assert.rejects(upload(limited.registry, 'alpha/q', randomBytes(6000)), /upload over/);
        const blobs = [randomBytes(10), randomBytes(2000), randomBytes(2500)];
        for (const blob of blobs) await upload(limited.registry, 'alpha/q', blob);
        await assert.rejects(
          limited.registry.manifests.push('alpha/q', 'big', manifestOf(blobs), manifestType),
          (err: unknown) => err instanceof BerthError && err.code === 'DENIED',
        );
        assert.equal(await usageOf(limited, 'alpha'), used);
        await assert.rejects(limited.registry.manifests.resolve('alpha/q', 'big'), /unknown/);
        assert.deepEqual(await limited.registry.storage.verify({ fix: false }), []);
      } finally {
        await limited.close();
      }
    });

    test('upgrading to storage accounting counts what was stored before it', async () => {
      await pushImage(f.registry, 'beta/upgrade', 'v1', [randomBytes(10), randomBytes(300)]);
      const before = await f.db.kysely.selectFrom('project_storage').selectAll().orderBy('project_id').execute();
      assert.ok(before.some((row) => Number(row.used) > 0));
      await f.db.kysely.deleteFrom('project_blobs').execute();
      await f.db.kysely.deleteFrom('project_storage').execute();
      await backfillStorageAccounting(f.db.kysely as unknown as Kysely<unknown>);
      const after = await f.db.kysely.selectFrom('project_storage').selectAll().orderBy('project_id').execute();
      assert.deepEqual(
        after.map((row) => [row.project_id, Number(row.used)]),
        before.map((row) => [row.project_id, Number(row.used)]),
      );
      assert.deepEqual(await f.registry.storage.verify({ fix: false }), []);
    });

    test('verify --fix rewrites a drifted usage', async () => {
      await pushImage(f.registry, 'alpha/drift', 'v1', [randomBytes(10), randomBytes(100)]);
      await f.db.kysely.updateTable('project_storage').set({ used: 1 }).execute();
      const drift = await f.registry.storage.verify({ fix: true });
      assert.ok(drift.length >= 1);
      assert.ok(drift.every((d) => d.recorded === 1 && d.actual !== 1));
      assert.deepEqual(await f.registry.storage.verify({ fix: false }), []);
      assert.ok(readdirSync(f.root).length > 0);
    });
  });
}
