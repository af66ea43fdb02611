import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  blobPath,
  buildImage,
  layerFiles,
  readBlob,
  readJsonBlob,
  resolveTag,
  type ImageManifest,
} from '../../../test/helpers/images.js';
import { exec, needTool } from '../../../test/helpers/tools.js';
import type { ImageSource } from '../model.js';
import { walkImage } from './index.js';
import { pathAnalyzer, texts } from './suite/layers.js';

// An image built by a real tool (umoci), read from its OCI image layout: a base layer and a
// second one in which umoci itself wrote the whiteout for a deleted file.

function layoutSource(layout: string, tag: string): ImageSource {
  const manifest = readJsonBlob<ImageManifest>(layout, resolveTag(layout, tag).digest);
  return {
    layers: manifest.layers.map(({ digest, mediaType, size }) => ({ digest, mediaType, size })),
    open: async (digest, signal) => createReadStream(blobPath(layout, digest), { signal }),
  };
}

test('an image built by umoci, read from its OCI layout, with a whiteout umoci wrote', async (t) => {
  if (!needTool(t, 'umoci')) return;
  const dir = mkdtempSync(join(tmpdir(), 'berth-walk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const layout = join(dir, 'layout');
  await buildImage(layout, 'base', {
    files: {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'var/lib/dpkg/status': 'Package: base-files\n',
      'etc/removed.conf': 'soon gone',
    },
  });
  // A second layer: umoci diffs the unpacked bundle against the base and writes the changes.
  const bundle = join(dir, 'bundle');
  await exec('umoci', ['unpack', '--rootless', '--image', `${layout}:base`, bundle]);
  unlinkSync(join(bundle, 'rootfs/etc/removed.conf'));
  writeFileSync(join(bundle, 'rootfs/var/lib/dpkg/status'), 'Package: base-files\n\nPackage: curl\n');
  await exec('umoci', ['repack', '--image', `${layout}:app`, bundle]);

  const source = layoutSource(layout, 'app');
  assert.equal(source.layers.length, 2);
  assert.ok(
    layerFiles(readBlob(layout, source.layers[1].digest)).has('etc/.wh.removed.conf'),
    'umoci wrote a whiteout',
  );
  const analyzer = pathAnalyzer(['etc/os-release', 'var/lib/dpkg/status', 'etc/removed.conf'], { history: true });
  let progress = 0;
  const { files, notes } = await walkImage(source, [analyzer], { onProgress: (done) => (progress = done) });
  const got = files.get(analyzer) ?? [];
  assert.deepEqual(texts(got), {
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
    'var/lib/dpkg/status': 'Package: base-files\n\nPackage: curl\n',
  });
  const status = got.find((file) => file.path === 'var/lib/dpkg/status');
  assert.deepEqual(
    status?.history?.map((version) => version.layer),
    source.layers.map((layer) => layer.digest),
  );
  assert.equal(got.find((file) => file.path === 'etc/os-release')?.layer, source.layers[0].digest);
  assert.equal(
    progress,
    source.layers.reduce((sum, layer) => sum + layer.size, 0),
  );
  assert.deepEqual(notes, []);
});
