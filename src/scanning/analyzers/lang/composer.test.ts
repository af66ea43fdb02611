import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageFile } from '../../model.js';
import { composerAnalyzer } from './composer.js';

const file = (path: string, content: string): ImageFile => ({
  path,
  layer: 'sha256:layer',
  content: Buffer.from(content),
});

// The shape Composer 2 writes (entries trimmed to the fields that matter here).
const lock = {
  _readme: ['This file locks the dependencies of your project to a known state'],
  'content-hash': 'e8d3e1c6a2a1c0f1e1f4f3b6a4c2d1e0',
  packages: [
    {
      name: 'guzzlehttp/guzzle',
      version: '7.8.1',
      source: { type: 'git', url: 'https://github.com/guzzle/guzzle.git', reference: '41042bc' },
      type: 'library',
      license: ['MIT'],
    },
    { name: 'symfony/http-foundation', version: 'v6.4.0', type: 'library', license: ['MIT'] },
    { name: 'acme/internal', version: 'dev-main', type: 'library' },
  ],
  'packages-dev': [{ name: 'phpunit/phpunit', version: '10.5.3', type: 'library', license: ['BSD-3-Clause'] }],
  'plugin-api-version': '2.6.0',
};

test('composer.lock: packages and packages-dev, versions without their v, branches skipped', async () => {
  const result = await composerAnalyzer.analyze([file('var/www/composer.lock', JSON.stringify(lock, null, 4))], {});
  assert.deepEqual(result.notes, []);
  assert.deepEqual(
    result.packages.map((p) => [p.ecosystem, p.name, p.version, p.licenses, p.purl, p.path]),
    [
      [
        'Packagist',
        'guzzlehttp/guzzle',
        '7.8.1',
        ['MIT'],
        'pkg:composer/guzzlehttp/guzzle@7.8.1',
        'var/www/composer.lock',
      ],
      [
        'Packagist',
        'symfony/http-foundation',
        '6.4.0',
        ['MIT'],
        'pkg:composer/symfony/http-foundation@6.4.0',
        'var/www/composer.lock',
      ],
      [
        'Packagist',
        'phpunit/phpunit',
        '10.5.3',
        ['BSD-3-Clause'],
        'pkg:composer/phpunit/phpunit@10.5.3',
        'var/www/composer.lock',
      ],
    ],
  );
});

test('a corrupt composer.lock is a note', async () => {
  const result = await composerAnalyzer.analyze([file('composer.lock', '[1, 2')], {});
  assert.deepEqual(result.packages, []);
  assert.match(result.notes![0]!, /^composer\.lock composer\.lock could not be read: /);
  assert.ok(composerAnalyzer.wants('var/www/composer.lock'));
  assert.ok(!composerAnalyzer.wants('sys/composer.lock'));
});
