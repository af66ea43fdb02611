import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ImageFile } from '../../model.js';
import { npmAnalyzer } from './npm.js';

const repoRoot = new URL('../../../../', import.meta.url);
const file = (path: string, content: string | Buffer): ImageFile => ({
  path,
  layer: 'sha256:layer',
  content: Buffer.isBuffer(content) ? content : Buffer.from(content),
});

test('wants lockfiles and installed manifests, not nested package.json files or system paths', () => {
  for (const path of [
    'app/package-lock.json',
    'usr/lib/node_modules/npm/package.json',
    'app/node_modules/@types/node/package.json',
    'app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json',
  ]) {
    assert.ok(npmAnalyzer.wants(path), path);
  }
  for (const path of [
    'app/package.json',
    'app/node_modules/yauzl/lib/package.json',
    'app/node_modules/@scope/package.json',
    'app/node_modules/foo/package-lock.json',
    'proc/1/root/app/package-lock.json',
  ]) {
    assert.ok(!npmAnalyzer.wants(path), path);
  }
});

test("this repository's own lockfile (version 3): every installed path, without the project, workspaces or links", async () => {
  const content = readFileSync(new URL('package-lock.json', repoRoot));
  const lock = JSON.parse(content.toString()) as {
    lockfileVersion: number;
    packages: Record<string, { version?: string; link?: boolean; license?: string; name?: string }>;
  };
  assert.equal(lock.lockfileVersion, 3);
  const result = await npmAnalyzer.analyze([file('app/package-lock.json', content)], {});
  assert.deepEqual(result.notes, []);

  // The lockfile read another way: the last node_modules/ segment of each key names the package.
  const expected = new Set(
    Object.entries(lock.packages)
      .filter(([key, entry]) => key.includes('node_modules/') && !entry.link && entry.version)
      .map(([key, entry]) => `${entry.name ?? key.split('node_modules/').pop()}@${entry.version}`),
  );
  assert.deepEqual(new Set(result.packages.map((p) => `${p.name}@${p.version}`)), expected);
  assert.equal(result.packages.length, expected.size, 'one package per name@version');

  const byName = new Map(result.packages.map((p) => [p.name, p]));
  const tarStream = byName.get('tar-stream')!;
  assert.equal(tarStream.version, lock.packages['node_modules/tar-stream']!.version);
  assert.equal(tarStream.purl, `pkg:npm/tar-stream@${tarStream.version}`);
  assert.deepEqual(tarStream.licenses, [lock.packages['node_modules/tar-stream']!.license]);
  assert.equal(tarStream.layer, 'sha256:layer');
  assert.equal(tarStream.path, 'app/package-lock.json');
  assert.equal(tarStream.kind, 'library');
  assert.equal(tarStream.ecosystem, 'npm');
  const types = byName.get('@types/yauzl')!;
  assert.equal(types.purl, `pkg:npm/%40types/yauzl@${lock.packages['node_modules/@types/yauzl']!.version}`);
  assert.ok(!byName.has('berth'), 'the project itself');
  assert.ok(!byName.has('@berth/web'), 'a workspace link');
});

test('lockfile version 1: nested dependencies, aliases; local and git dependencies skipped', async () => {
  const lock = {
    name: 'shop',
    version: '1.0.0',
    lockfileVersion: 1,
    requires: true,
    dependencies: {
      express: {
        version: '4.17.1',
        resolved: 'https://registry.npmjs.org/express/-/express-4.17.1.tgz',
        integrity: 'sha512-mHJ9O79RqluphRrcw2X/GTh3k9tVv8YcoyY4Kkh4WDMUYKRZUq0h1o0w2rrrxBqM7VoeUVqgb27xlEMXTnYt4g==',
        requires: { debug: '2.6.9' },
        dependencies: {
          debug: { version: '2.6.9', resolved: 'https://registry.npmjs.org/debug/-/debug-2.6.9.tgz' },
        },
      },
      debug: { version: '4.3.1', dev: true },
      'old-lodash': { version: 'npm:lodash@4.17.15' },
      mine: { version: 'file:../mine' },
      forked: { version: 'git+https://github.com/someone/forked.git#abc123' },
    },
  };
  const result = await npmAnalyzer.analyze([file('srv/package-lock.json', JSON.stringify(lock))], {});
  assert.deepEqual(result.packages.map((p) => `${p.name}@${p.version}`).sort(), [
    'debug@2.6.9',
    'debug@4.3.1',
    'express@4.17.1',
    'lodash@4.17.15',
  ]);
});

test('lockfile version 2 is read from its packages map, not also from its v1 copy', async () => {
  const lock = {
    name: 'api',
    lockfileVersion: 2,
    packages: {
      '': { name: 'api', version: '1.0.0' },
      'node_modules/minimist': { version: '1.2.5', license: 'MIT' },
      'node_modules/mkdirp/node_modules/minimist': { version: '0.0.8', license: 'MIT' },
      'node_modules/left': { name: 'left-pad', version: '1.3.0' },
    },
    dependencies: { minimist: { version: '1.2.5' }, ghost: { version: '9.9.9' } },
  };
  const result = await npmAnalyzer.analyze([file('package-lock.json', JSON.stringify(lock))], {});
  assert.deepEqual(result.packages.map((p) => `${p.name}@${p.version}`).sort(), [
    'left-pad@1.3.0',
    'minimist@0.0.8',
    'minimist@1.2.5',
  ]);
});

test('installed packages: a real package.json from node_modules, and the legacy licence shapes', async () => {
  const yauzl = readFileSync(new URL('node_modules/yauzl/package.json', repoRoot));
  const manifest = JSON.parse(yauzl.toString()) as { version: string; license: string };
  const files = [
    file('app/node_modules/yauzl/package.json', yauzl),
    file(
      'app/node_modules/@x/old/package.json',
      JSON.stringify({ name: '@x/old', version: '1.0.0', license: { type: 'BSD-3-Clause' } }),
    ),
    file(
      'app/node_modules/older/package.json',
      JSON.stringify({ name: 'older', version: '0.1.0', licenses: [{ type: 'MIT' }, 'GPL-2.0'] }),
    ),
    file('app/node_modules/stub/package.json', JSON.stringify({ name: 'stub' })),
  ];
  const result = await npmAnalyzer.analyze(files, {});
  assert.deepEqual(
    result.packages.map((p) => [p.name, p.version, p.licenses, p.purl]),
    [
      ['yauzl', manifest.version, [manifest.license], `pkg:npm/yauzl@${manifest.version}`],
      ['@x/old', '1.0.0', ['BSD-3-Clause'], 'pkg:npm/%40x/old@1.0.0'],
      ['older', '0.1.0', ['MIT', 'GPL-2.0'], 'pkg:npm/older@0.1.0'],
    ],
  );
});

test('a corrupt file gives a note naming it, and the other files are still read', async () => {
  const result = await npmAnalyzer.analyze(
    [
      file('a/package-lock.json', '{"lockfileVersion": 3, "packages": {'),
      file('b/node_modules/ok/package.json', '{"name":"ok","version":"1.0.0"}'),
    ],
    {},
  );
  assert.deepEqual(
    result.packages.map((p) => p.name),
    ['ok'],
  );
  assert.equal(result.notes?.length, 1);
  assert.match(result.notes![0]!, /^npm file a\/package-lock.json could not be read: /);
});
