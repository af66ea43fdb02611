import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf } from '../shared/digest.js';
import { cachedContentReads, type ContentReads } from './cache.js';
import type { BlobInfo, StoredManifest } from './repo.js';

// A fake repository that counts how often the cache falls through to it.
function fakeRepo() {
  const blobs = new Map<string, BlobInfo>();
  const manifests = new Map<string, StoredManifest>();
  const calls = { blob: 0, manifest: 0 };
  let gate: Promise<void> | undefined;
  const repo: ContentReads = {
    async repositoryBlob(repository, digest) {
      calls.blob++;
      const found = blobs.get(`${repository}@${digest}`);
      if (gate) await gate;
      return found;
    },
    async manifest(repository, digest) {
      calls.manifest++;
      const found = manifests.get(`${repository}@${digest}`);
      if (gate) await gate;
      return found;
    },
  };
  return {
    repo,
    calls,
    addBlob(repository: string, blob: BlobInfo) {
      blobs.set(`${repository}@${blob.digest}`, blob);
    },
    removeBlob(repository: string, digest: string) {
      blobs.delete(`${repository}@${digest}`);
    },
    addManifest(repository: string, bytes: Buffer): StoredManifest {
      const manifest = {
        digest: digestOf(bytes),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        bytes,
        subjectDigest: null,
      };
      manifests.set(`${repository}@${manifest.digest}`, manifest);
      return manifest;
    },
    removeManifest(repository: string, digest: string) {
      manifests.delete(`${repository}@${digest}`);
    },
    /** Holds every read after its lookup until the returned function is called. */
    hold(): () => void {
      let release = () => {};
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const blob = (seed: string): BlobInfo => ({ digest: digestOf(Buffer.from(seed)), size: seed.length, mediaType: null });
const MiB = 1024 * 1024;

test('a blob descriptor hit does not reach the repository', async () => {
  const fake = fakeRepo();
  const b = blob('layer');
  fake.addBlob('lib/app', b);
  const reads = cachedContentReads(fake.repo, MiB);
  assert.deepEqual(await reads.repositoryBlob('lib/app', b.digest), b);
  assert.deepEqual(await reads.repositoryBlob('lib/app', b.digest), b);
  assert.deepEqual(await reads.repositoryBlob('lib/app', b.digest), b);
  assert.equal(fake.calls.blob, 1);
});

test('a manifest hit does not reach the repository and returns the same bytes', async () => {
  const fake = fakeRepo();
  const m = fake.addManifest('lib/app', Buffer.from('{"schemaVersion":2}'));
  const reads = cachedContentReads(fake.repo, MiB);
  assert.deepEqual(await reads.manifest('lib/app', m.digest), m);
  const again = await reads.manifest('lib/app', m.digest);
  assert.ok(again?.bytes.equals(m.bytes));
  assert.equal(fake.calls.manifest, 1);
});

test('entries are per repository: the same digest elsewhere is a separate lookup', async () => {
  const fake = fakeRepo();
  const b = blob('shared');
  fake.addBlob('a', b);
  const reads = cachedContentReads(fake.repo, MiB);
  await reads.repositoryBlob('a', b.digest);
  assert.equal(await reads.repositoryBlob('b', b.digest), undefined);
  assert.equal(fake.calls.blob, 2);
});

test('blob and manifest entries with the same digest do not mix', async () => {
  const fake = fakeRepo();
  const m = fake.addManifest('r', Buffer.from('{"x":1}'));
  const reads = cachedContentReads(fake.repo, MiB);
  await reads.manifest('r', m.digest);
  assert.equal(await reads.repositoryBlob('r', m.digest), undefined);
  assert.equal(fake.calls.blob, 1);
});

test('misses are not cached: content pushed after a miss is found', async () => {
  const fake = fakeRepo();
  const reads = cachedContentReads(fake.repo, MiB);
  const b = blob('later');
  assert.equal(await reads.repositoryBlob('r', b.digest), undefined);
  assert.equal(await reads.repositoryBlob('r', b.digest), undefined);
  assert.equal(fake.calls.blob, 2);
  fake.addBlob('r', b);
  assert.deepEqual(await reads.repositoryBlob('r', b.digest), b);
  const m = Buffer.from('{"late":true}');
  assert.equal(await reads.manifest('r', digestOf(m)), undefined);
  const stored = fake.addManifest('r', m);
  assert.deepEqual(await reads.manifest('r', stored.digest), stored);
});

test('forgetBlob and forgetManifest make the next read ask the repository', async () => {
  const fake = fakeRepo();
  const b = blob('deleted');
  fake.addBlob('r', b);
  const m = fake.addManifest('r', Buffer.from('{"deleted":true}'));
  const reads = cachedContentReads(fake.repo, MiB);
  await reads.repositoryBlob('r', b.digest);
  await reads.manifest('r', m.digest);
  fake.removeBlob('r', b.digest);
  fake.removeManifest('r', m.digest);
  reads.forgetBlob('r', b.digest);
  reads.forgetManifest('r', m.digest);
  assert.equal(await reads.repositoryBlob('r', b.digest), undefined);
  assert.equal(await reads.manifest('r', m.digest), undefined);
  assert.equal(fake.calls.blob, 2);
  assert.equal(fake.calls.manifest, 2);
});

test('forgetting one entry keeps the others', async () => {
  const fake = fakeRepo();
  const [b1, b2] = [blob('one'), blob('two')];
  fake.addBlob('r', b1);
  fake.addBlob('r', b2);
  const reads = cachedContentReads(fake.repo, MiB);
  await reads.repositoryBlob('r', b1.digest);
  await reads.repositoryBlob('r', b2.digest);
  reads.forgetBlob('r', b1.digest);
  await reads.repositoryBlob('r', b2.digest);
  assert.equal(fake.calls.blob, 2);
});

test('forgetRepository drops that repository only, not one whose name it prefixes', async () => {
  const fake = fakeRepo();
  const b = blob('x');
  for (const repository of ['app', 'app/sub', 'apps']) fake.addBlob(repository, b);
  const m = fake.addManifest('app', Buffer.from('{"m":1}'));
  const reads = cachedContentReads(fake.repo, MiB);
  for (const repository of ['app', 'app/sub', 'apps']) await reads.repositoryBlob(repository, b.digest);
  await reads.manifest('app', m.digest);
  reads.forgetRepository('app');
  for (const repository of ['app', 'app/sub', 'apps']) await reads.repositoryBlob(repository, b.digest);
  await reads.manifest('app', m.digest);
  assert.equal(fake.calls.blob, 4, 'only app was read again');
  assert.equal(fake.calls.manifest, 2);
});

test('a read racing a delete does not cache what the delete removed', async () => {
  const fake = fakeRepo();
  const m = fake.addManifest('r', Buffer.from('{"racy":true}'));
  const reads = cachedContentReads(fake.repo, MiB);
  const release = fake.hold();
  const inFlight = reads.manifest('r', m.digest);
  // The delete lands while the read holds the old row.
  fake.removeManifest('r', m.digest);
  reads.forgetManifest('r', m.digest);
  release();
  assert.deepEqual(await inFlight, m);
  assert.equal(await reads.manifest('r', m.digest), undefined, 'the deleted manifest came back from the cache');
});

test('the byte bound is respected: older manifests are evicted, the newest stay', async () => {
  const fake = fakeRepo();
  const budget = 64 * 1024;
  const reads = cachedContentReads(fake.repo, budget);
  const manifests = Array.from({ length: 20 }, (_, i) => fake.addManifest('r', Buffer.alloc(8 * 1024, i)));
  for (const m of manifests) await reads.manifest('r', m.digest);
  assert.equal(fake.calls.manifest, 20);
  // At most budget / 8 KiB manifests fit; the most recent ones are hits.
  await reads.manifest('r', manifests[19].digest);
  await reads.manifest('r', manifests[18].digest);
  assert.equal(fake.calls.manifest, 20);
  let misses = 0;
  for (const m of manifests) {
    const before = fake.calls.manifest;
    await reads.manifest('r', m.digest);
    if (fake.calls.manifest > before) misses++;
  }
  assert.ok(misses >= 20 - budget / (8 * 1024), `only ${misses} misses: the cache holds more than its budget`);
});

test('blob descriptors count against the same byte bound', async () => {
  const fake = fakeRepo();
  const budget = 16 * 1024;
  const reads = cachedContentReads(fake.repo, budget);
  const blobs = Array.from({ length: 1000 }, (_, i) => blob(`blob-${i}`));
  for (const b of blobs) fake.addBlob('r', b);
  for (const b of blobs) await reads.repositoryBlob('r', b.digest);
  fake.calls.blob = 0;
  for (const b of blobs) await reads.repositoryBlob('r', b.digest);
  assert.ok(fake.calls.blob > 900, `${1000 - fake.calls.blob} of 1000 descriptors stayed cached in ${budget} bytes`);
  await reads.repositoryBlob('r', blobs[999].digest);
  const before = fake.calls.blob;
  await reads.repositoryBlob('r', blobs[999].digest);
  assert.equal(fake.calls.blob, before, 'the most recent descriptor is a hit');
});

test('a manifest larger than a quarter of the budget is served but not cached', async () => {
  const fake = fakeRepo();
  const reads = cachedContentReads(fake.repo, 64 * 1024);
  const big = fake.addManifest('r', Buffer.alloc(20 * 1024, 1));
  const small = fake.addManifest('r', Buffer.alloc(1024, 2));
  await reads.manifest('r', small.digest);
  assert.deepEqual(await reads.manifest('r', big.digest), big);
  assert.deepEqual(await reads.manifest('r', big.digest), big);
  assert.equal(fake.calls.manifest, 3);
  await reads.manifest('r', small.digest);
  assert.equal(fake.calls.manifest, 3, 'the big manifest did not evict the small one');
});

test('a zero budget turns the cache off', async () => {
  const fake = fakeRepo();
  const b = blob('uncached');
  fake.addBlob('r', b);
  const m = fake.addManifest('r', Buffer.from('{}'));
  const reads = cachedContentReads(fake.repo, 0);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await reads.repositoryBlob('r', b.digest), b);
    assert.deepEqual(await reads.manifest('r', m.digest), m);
  }
  assert.equal(fake.calls.blob, 3);
  assert.equal(fake.calls.manifest, 3);
  reads.forgetBlob('r', b.digest);
  reads.forgetManifest('r', m.digest);
  reads.forgetRepository('r');
});
