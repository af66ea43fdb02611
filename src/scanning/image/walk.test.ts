import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { needTool } from '../../../test/helpers/tools.js';
import type { ImageSource } from '../model.js';
import { ImageLayerError, walkImage } from './index.js';
import { digestOf, gzip, mediaTypes, memorySource, pathAnalyzer, tarLayer, texts, zstd } from './suite/layers.js';

test('reads gzip, zstd and plain tar layers, by media type and by sniffing a generic one', async (t) => {
  if (!needTool(t, 'zstd')) return;
  const layer = (name: string) => tarLayer([{ name: `etc/${name}`, content: `from ${name}` }]);
  const layers = [
    { mediaType: mediaTypes.gzip, blob: gzip(await layer('oci-gzip')) },
    { mediaType: mediaTypes.zstd, blob: zstd(await layer('oci-zstd')) },
    { mediaType: mediaTypes.tar, blob: await layer('oci-tar') },
    { mediaType: mediaTypes.docker, blob: gzip(await layer('docker-gzip')) },
    { mediaType: mediaTypes.generic, blob: gzip(await layer('sniffed-gzip')) },
    { mediaType: mediaTypes.generic, blob: zstd(await layer('sniffed-zstd')) },
    { mediaType: mediaTypes.generic, blob: await layer('sniffed-tar') },
  ];
  const names = ['oci-gzip', 'oci-zstd', 'oci-tar', 'docker-gzip', 'sniffed-gzip', 'sniffed-zstd', 'sniffed-tar'];
  const analyzer = pathAnalyzer(names.map((name) => `etc/${name}`));
  const { files, notes } = await walkImage(memorySource(layers), [analyzer]);
  const got = files.get(analyzer) ?? [];
  assert.deepEqual(texts(got), Object.fromEntries(names.map((name) => [`etc/${name}`, `from ${name}`])));
  for (const [i, name] of names.entries()) {
    assert.equal(got.find((file) => file.path === `etc/${name}`)?.layer, digestOf(layers[i].blob), name);
  }
  assert.deepEqual(notes, []);
});

test('a file written again in a later layer has the later content and layer, with its history in order', async () => {
  const layers = [
    { mediaType: mediaTypes.gzip, blob: gzip(await tarLayer([{ name: 'var/lib/dpkg/status', content: 'one' }])) },
    { mediaType: mediaTypes.gzip, blob: gzip(await tarLayer([{ name: 'etc/hostname', content: 'x' }])) },
    { mediaType: mediaTypes.tar, blob: await tarLayer([{ name: './var/lib/dpkg/status', content: 'one two' }]) },
  ];
  const withHistory = pathAnalyzer(['var/lib/dpkg/status'], { name: 'dpkg', history: true });
  const without = pathAnalyzer(['var/lib/dpkg/status']);
  const { files } = await walkImage(memorySource(layers), [withHistory, without]);
  const [status] = files.get(withHistory) ?? [];
  assert.equal(status.content.toString(), 'one two');
  assert.equal(status.layer, digestOf(layers[2].blob));
  assert.deepEqual(
    status.history?.map((version) => [version.layer, version.content.toString()]),
    [
      [digestOf(layers[0].blob), 'one'],
      [digestOf(layers[2].blob), 'one two'],
    ],
  );
  const [plain] = files.get(without) ?? [];
  assert.equal(plain.content.toString(), 'one two');
  assert.equal(plain.history, undefined);
});

test('.wh. deletes a lower file and a lower directory with everything under it', async () => {
  const base = await tarLayer([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/keep', content: 'keep' },
    { name: 'etc/gone', content: 'gone' },
    { name: 'opt/app/', type: 'directory' },
    { name: 'opt/app/package.json', content: '{}' },
    { name: 'opt/app/lib/deep.json', content: '{}' },
  ]);
  const upper = await tarLayer([
    { name: 'etc/.wh.gone', content: '' },
    { name: 'opt/.wh.app', content: '' },
  ]);
  const analyzer = pathAnalyzer(['etc/keep', 'etc/gone', 'opt/app/package.json', 'opt/app/lib/deep.json']);
  const source = memorySource([
    { mediaType: mediaTypes.gzip, blob: gzip(base) },
    { mediaType: mediaTypes.gzip, blob: gzip(upper) },
  ]);
  const { files } = await walkImage(source, [analyzer]);
  assert.deepEqual(texts(files.get(analyzer)), { 'etc/keep': 'keep' });
});

test('.wh..wh..opq hides lower entries of its directory and keeps the same layer’s own, whatever the order', async () => {
  const base = await tarLayer([
    { name: 'app/old.txt', content: 'old' },
    { name: 'app/sub/old.txt', content: 'old' },
    { name: 'other/stays.txt', content: 'stays' },
  ]);
  // The layer's own files come both before and after the marker in archive order.
  const upper = await tarLayer([
    { name: 'app/', type: 'directory' },
    { name: 'app/-first.txt', content: 'new' },
    { name: 'app/.wh..wh..opq', content: '' },
    { name: 'app/sub/new.txt', content: 'new' },
  ]);
  const analyzer = pathAnalyzer([
    'app/old.txt',
    'app/sub/old.txt',
    'app/-first.txt',
    'app/sub/new.txt',
    'other/stays.txt',
  ]);
  const source = memorySource([
    { mediaType: mediaTypes.tar, blob: base },
    { mediaType: mediaTypes.tar, blob: upper },
  ]);
  const { files } = await walkImage(source, [analyzer]);
  assert.deepEqual(texts(files.get(analyzer)), {
    'app/-first.txt': 'new',
    'app/sub/new.txt': 'new',
    'other/stays.txt': 'stays',
  });
});

test('hard links resolve to their target in the same layer or a lower one, wanted or not', async () => {
  const base = await tarLayer([{ name: 'usr/share/base.txt', content: 'from the base' }]);
  const upper = await tarLayer([
    { name: 'usr/bin/real', content: 'same layer' },
    { name: 'usr/bin/alias', type: 'link', linkname: 'usr/bin/real' },
    { name: 'etc/base-link', type: 'link', linkname: './usr/share/base.txt' },
    { name: 'etc/dangling', type: 'link', linkname: 'nowhere' },
  ]);
  const source = memorySource([
    { mediaType: mediaTypes.gzip, blob: gzip(base) },
    { mediaType: mediaTypes.gzip, blob: gzip(upper) },
  ]);
  const analyzer = pathAnalyzer(['usr/bin/alias', 'etc/base-link', 'etc/dangling']);
  const { files, notes } = await walkImage(source, [analyzer]);
  assert.deepEqual(texts(files.get(analyzer)), { 'etc/base-link': 'from the base', 'usr/bin/alias': 'same layer' });
  assert.equal(files.get(analyzer)?.find((file) => file.path === 'etc/base-link')?.layer, source.layers[1].digest);
  assert.ok(
    notes.some((note) => note.includes('etc/dangling -> nowhere')),
    notes.join('\n'),
  );
});

test('a wanted path reached through symlinks is found, even when the link comes after the file', async () => {
  const layer = await tarLayer([
    { name: 'usr/lib/os-release', content: 'ID=debian' },
    { name: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: 'sqlite' },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'var/lib/rpm', type: 'symlink', linkname: '../../usr/lib/sysimage/rpm' },
    { name: 'loop', type: 'symlink', linkname: 'loop' },
    { name: 'up', type: 'symlink', linkname: '/' },
  ]);
  const source = memorySource([{ mediaType: mediaTypes.tar, blob: layer }]);
  const analyzer = pathAnalyzer(['etc/os-release', 'var/lib/rpm/rpmdb.sqlite', 'loop']);
  const { files } = await walkImage(source, [analyzer]);
  assert.deepEqual(texts(files.get(analyzer)), { 'etc/os-release': 'ID=debian', 'var/lib/rpm/rpmdb.sqlite': 'sqlite' });
});

test('a file reached both by its own path and through a symlinked directory is given once, by its own path', async () => {
  const layer = await tarLayer([
    { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
    { name: 'usr/lib/node_modules/npm/package.json', content: '{"name":"npm"}' },
  ]);
  const source = memorySource([{ mediaType: mediaTypes.tar, blob: layer }]);
  const anyPackageJson = { ...pathAnalyzer([]), wants: (path: string) => path.endsWith('/package.json') };
  const onlyViaLink = pathAnalyzer(['lib/node_modules/npm/package.json']);
  const { files } = await walkImage(source, [anyPackageJson, onlyViaLink]);
  assert.deepEqual(Object.keys(texts(files.get(anyPackageJson))), ['usr/lib/node_modules/npm/package.json']);
  assert.deepEqual(Object.keys(texts(files.get(onlyViaLink))), ['lib/node_modules/npm/package.json']);
});

test('a wanted path that is a directory, a fifo or a symlink to nothing is not a file', async () => {
  const layer = await tarLayer([
    { name: 'etc/os-release/', type: 'directory' },
    { name: 'etc/fifo', type: 'fifo' },
    { name: 'etc/dangling', type: 'symlink', linkname: 'missing' },
  ]);
  const analyzer = pathAnalyzer(['etc/os-release', 'etc/fifo', 'etc/dangling']);
  const { files } = await walkImage(memorySource([{ mediaType: mediaTypes.tar, blob: layer }]), [analyzer]);
  assert.deepEqual(files.get(analyzer), []);
});

test('files over an analyzer’s limit, or over the total bound, are skipped with a note naming them', async () => {
  const layer = await tarLayer([
    { name: 'big.json', content: 'x'.repeat(2000) },
    { name: 'small.json', content: 'x'.repeat(100) },
    { name: 'a.json', content: 'a'.repeat(600) },
    { name: 'b.json', content: 'b'.repeat(600) },
  ]);
  const strict = pathAnalyzer(['big.json', 'small.json'], { name: 'strict', maxFileSize: 1000 });
  const lax = pathAnalyzer(['big.json'], { name: 'lax', maxFileSize: 5000 });
  const source = memorySource([{ mediaType: mediaTypes.tar, blob: layer }]);
  const { files, notes } = await walkImage(source, [strict, lax]);
  assert.deepEqual(Object.keys(texts(files.get(strict))), ['small.json']);
  assert.deepEqual(Object.keys(texts(files.get(lax))), ['big.json']);
  assert.ok(
    notes.includes("big.json (2000 bytes) is larger than strict's limit of 1000 bytes; skipped"),
    notes.join('\n'),
  );

  const both = pathAnalyzer(['a.json', 'b.json']);
  const bounded = await walkImage(source, [both], { maxTotalBytes: 1000 });
  assert.deepEqual(Object.keys(texts(bounded.files.get(both))), ['a.json']);
  assert.ok(
    bounded.notes.some((note) => note.startsWith('b.json skipped: the files kept for analysis would exceed 1000')),
  );
});

test('past maxEntries only wanted files are tracked; over-long paths are refused', async () => {
  const layer = await tarLayer([
    { name: 'etc/one', content: '1' },
    { name: 'etc/two', content: '2' },
    { name: 'etc/link', type: 'symlink', linkname: 'one' },
    { name: 'var/lib/dpkg/status', content: 'Package: x' },
    { name: `${'deep/'.repeat(1000)}status`, content: 'too deep' },
  ]);
  const analyzer = pathAnalyzer(['var/lib/dpkg/status', 'etc/link', 'etc/one', `${'deep/'.repeat(1000)}status`]);
  const source = memorySource([{ mediaType: mediaTypes.tar, blob: layer }]);
  const { files, notes } = await walkImage(source, [analyzer], { maxEntries: 2 });
  // etc/one and etc/two fill the bound; the symlink is dropped, the wanted status file is not.
  assert.deepEqual(texts(files.get(analyzer)), { 'etc/one': '1', 'var/lib/dpkg/status': 'Package: x' });
  assert.ok(notes.includes('the image has more than 2 entries; past them, only wanted files are tracked'));
  assert.ok(
    notes.some((note) => note.includes('is longer than 4096 bytes; ignored')),
    notes.join('\n'),
  );
});

test('a truncated gzip layer and a non-tar layer fail with an error naming the layer', async () => {
  const good = gzip(await tarLayer([{ name: 'etc/a', content: 'a'.repeat(100_000) }]));
  const truncated = good.subarray(0, good.length - 100);
  const notTar = Buffer.from('this is not a tar archive, though its media type says so'.repeat(20));
  const analyzer = pathAnalyzer(['etc/a']);
  for (const [blob, mediaType, reason] of [
    [truncated, mediaTypes.gzip, /unexpected end of file/],
    [notTar, mediaTypes.tar, /Invalid tar header/],
    [gzip(notTar), mediaTypes.gzip, /Invalid tar header/],
  ] as const) {
    const source = memorySource([{ mediaType, blob }]);
    const digest = source.layers[0].digest;
    await assert.rejects(walkImage(source, [analyzer]), (err: unknown) => {
      assert.ok(err instanceof ImageLayerError);
      assert.equal(err.layer, digest);
      assert.match(err.message, new RegExp(`^layer ${digest} cannot be read: `));
      assert.match(err.message, reason);
      return true;
    });
  }
});

test('a layer of a generic media type that is not an archive at all is skipped with a note', async () => {
  const attestation = Buffer.from(JSON.stringify({ predicateType: 'https://slsa.dev/provenance/v1' }));
  const files = gzip(await tarLayer([{ name: 'etc/a', content: 'a' }]));
  const source = memorySource([
    { mediaType: mediaTypes.gzip, blob: files },
    { mediaType: 'application/vnd.in-toto+json', blob: attestation },
  ]);
  const analyzer = pathAnalyzer(['etc/a']);
  const { files: got, notes } = await walkImage(source, [analyzer]);
  assert.deepEqual(texts(got.get(analyzer)), { 'etc/a': 'a' });
  assert.deepEqual(notes, [
    `layer ${source.layers[1].digest} is not a tar archive (media type application/vnd.in-toto+json); skipped`,
  ]);
});

test('entries climbing out of the root are not the image’s files', async () => {
  const layer = await tarLayer([
    { name: '../../etc/passwd', content: 'root::0:0:escaped' },
    { name: 'etc/../../etc/shadow', content: 'escaped' },
    { name: '/etc/group', content: 'root:x:0:' },
  ]);
  const source = memorySource([{ mediaType: mediaTypes.tar, blob: layer }]);
  const analyzer = pathAnalyzer(['etc/passwd', 'etc/shadow', 'etc/group']);
  const { files, notes } = await walkImage(source, [analyzer]);
  assert.deepEqual(texts(files.get(analyzer)), { 'etc/group': 'root:x:0:' });
  assert.ok(
    notes.some((note) => note.includes('../../etc/passwd lies outside')),
    notes.join('\n'),
  );
});

test('aborting stops the walk of a layer that never ends', async () => {
  const header = await tarLayer([{ name: 'first', content: 'x' }]);
  let reads = 0;
  const source: ImageSource = {
    layers: [{ digest: 'sha256:endless', mediaType: mediaTypes.tar, size: 0 }],
    async open() {
      // A tar whose last entry claims 1 TiB and whose bytes never stop coming.
      const endless = await tarLayer([{ name: 'huge', content: '' }]);
      endless.write((2n ** 40n).toString(8).padStart(11, '0'), 124, 'latin1');
      fixChecksum(endless);
      return new Readable({
        read() {
          reads++;
          const bytes =
            reads === 1 ? Buffer.concat([header.subarray(0, 1024), endless.subarray(0, 512)]) : Buffer.alloc(65536);
          // As a blob from disk or the network: each read completes in a later turn of the event loop.
          setImmediate(() => this.push(bytes));
        },
      });
    },
  };
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('scan cancelled')), 50);
  const started = Date.now();
  await assert.rejects(walkImage(source, [pathAnalyzer(['huge'])], { signal: controller.signal }), /scan cancelled/);
  assert.ok(Date.now() - started < 2000);
  const readsAtAbort = reads;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(reads, readsAtAbort, 'nothing read after the abort');
});

/** Recomputes a tar header's checksum (POSIX ustar: the byte sum with the checksum field as spaces). */
function fixChecksum(header: Buffer): void {
  header.fill(' ', 148, 156, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += header[i];
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

test('a 100 MiB layer is walked in a few seconds', async (t) => {
  // 10,000 files of 10 KiB of text-like bytes (gzip halves them, as it does binaries and text).
  const files = 10_000;
  const bytes = Buffer.alloc(10 * 1024);
  let seed = 2463534242;
  const entries = Array.from({ length: files }, (_, i) => {
    for (let j = 0; j < bytes.length; j++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      bytes[j] = 97 + ((seed >>> 0) % 16);
    }
    return { name: `usr/share/data/${i % 100}/${i}.txt`, content: Buffer.from(bytes) };
  });
  entries.push({ name: 'var/lib/dpkg/status', content: Buffer.from('Package: x') });
  const blob = gzip(await tarLayer(entries));
  const analyzer = pathAnalyzer(['var/lib/dpkg/status']);
  const started = process.hrtime.bigint();
  const { files: got } = await walkImage(memorySource([{ mediaType: mediaTypes.gzip, blob }]), [analyzer]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.diagnostic(`${files} files, 100 MiB of tar (${blob.length} bytes gzipped), walked in ${ms.toFixed(0)} ms`);
  assert.deepEqual(texts(got.get(analyzer)), { 'var/lib/dpkg/status': 'Package: x' });
  assert.ok(ms < 10_000, `took ${ms} ms`);
});
