import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeImage } from './analyze.js';
import { gzip, mediaTypes, memorySource, tarLayer } from './image/suite/layers.js';
import type { Analyzer, ImageFile, OsInfo, Package } from './model.js';

// The pipeline over a real two-layer image: one walk, os-release first whatever the list's
// order, the OS handed to the others, packages and notes gathered and sorted.

const osRelease: Analyzer = {
  name: 'os-release',
  wants: (path) => path === 'etc/os-release',
  maxFileSize: 64 * 1024,
  analyze(files) {
    const fields = Object.fromEntries(
      (files[0]?.content.toString('utf8') ?? '').split('\n').map((line) => line.split('=') as [string, string]),
    );
    return { packages: [], os: { id: fields.ID, versionId: fields.VERSION_ID, prettyName: fields.PRETTY_NAME } };
  },
};

/** Reads 'name version' lines of a wanted file into packages, recording what it was given. */
function listAnalyzer(name: string, path: string, ecosystem: Package['ecosystem'], seen: { os?: OsInfo }[]): Analyzer {
  return {
    name,
    wants: (wanted) => wanted === path,
    maxFileSize: 64 * 1024,
    analyze(files: ImageFile[], context) {
      seen.push({ os: context.os });
      const packages = files.flatMap((file) =>
        file.content
          .toString('utf8')
          .trim()
          .split('\n')
          .map((line): Package => {
            const [pkgName, version] = line.split(' ');
            return {
              ecosystem,
              name: pkgName,
              version,
              purl: `pkg:generic/${pkgName}@${version}`,
              licenses: [],
              layer: file.layer,
              path: file.path,
              kind: 'library',
            };
          }),
      );
      return { packages, notes: [`${name} read ${files.length} file(s)`] };
    },
  };
}

test('analyzeImage walks once, runs os-release first and gathers sorted packages and notes', async () => {
  const base = gzip(
    await tarLayer([
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\nPRETTY_NAME=Debian 12' },
      { name: 'app/requirements.txt', content: 'zope 1.0\nattrs 2.0' },
    ]),
  );
  const upper = gzip(
    await tarLayer([{ name: 'app/package.list', content: 'lodash 4.17.21\nexpress 4.18.0\nexpress 4.17.0' }]),
  );
  const source = memorySource([
    { mediaType: mediaTypes.gzip, blob: base },
    { mediaType: mediaTypes.gzip, blob: upper },
  ]);
  const seen: { os?: OsInfo }[] = [];
  const npm = listAnalyzer('npm', 'app/package.list', 'npm', seen);
  const pypi = listAnalyzer('pypi', 'app/requirements.txt', 'PyPI', seen);
  const progress: [number, number][] = [];
  const analysis = await analyzeImage(source, [npm, osRelease, pypi], {
    onProgress: (done, total) => progress.push([done, total]),
  });

  const os = { id: 'debian', versionId: '12', prettyName: 'Debian 12' };
  assert.deepEqual(analysis.os, os);
  assert.deepEqual(seen, [{ os }, { os }]);
  assert.deepEqual(
    analysis.packages.map((pkg) => `${pkg.ecosystem} ${pkg.name} ${pkg.version}`),
    ['PyPI attrs 2.0', 'PyPI zope 1.0', 'npm express 4.17.0', 'npm express 4.18.0', 'npm lodash 4.17.21'],
  );
  assert.equal(analysis.packages.find((pkg) => pkg.name === 'lodash')?.layer, source.layers[1].digest);
  assert.deepEqual(analysis.notes, ['npm read 1 file(s)', 'pypi read 1 file(s)']);
  assert.deepEqual([...source.opened.values()], [1, 1], 'each layer read once');
  const total = base.length + upper.length;
  assert.deepEqual(progress.at(-1), [total, total]);
  assert.ok(progress.every(([done], i) => i === 0 || done >= progress[i - 1][0]));
});

test('an analyzer that throws leaves a note and the others still report', async () => {
  const layer = gzip(await tarLayer([{ name: 'app/package.list', content: 'left-pad 1.3.0' }]));
  const source = memorySource([{ mediaType: mediaTypes.gzip, blob: layer }]);
  const broken: Analyzer = {
    name: 'broken',
    wants: () => true,
    maxFileSize: 1024,
    analyze: () => {
      throw new Error('unexpected database format');
    },
  };
  const analysis = await analyzeImage(source, [broken, listAnalyzer('npm', 'app/package.list', 'npm', [])]);
  assert.equal(analysis.os, undefined);
  assert.deepEqual(
    analysis.packages.map((pkg) => pkg.name),
    ['left-pad'],
  );
  assert.deepEqual(analysis.notes, ['broken analyzer failed: unexpected database format', 'npm read 1 file(s)']);
});

test('analyzeImage passes a layer error on to the scan', async () => {
  const source = memorySource([{ mediaType: mediaTypes.gzip, blob: Buffer.from('not gzip at all') }]);
  await assert.rejects(analyzeImage(source, [osRelease]), { name: 'ImageLayerError', code: 'LAYER_UNREADABLE' });
});
