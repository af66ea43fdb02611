import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startApiBerth } from '../helpers/api.js';
import { coverageMarkdown, swaggerFile } from '../helpers/coverage.js';

test('docs/api-coverage.md lists exactly the Harbor operations Berth serves', async () => {
  const server = await startApiBerth();
  try {
    const current = readFileSync(new URL('../../docs/api-coverage.md', import.meta.url), 'utf8');
    assert.equal(
      current,
      coverageMarkdown(server),
      'docs/api-coverage.md is stale: run node --import tsx scripts/api-coverage.ts',
    );
  } finally {
    await server.close();
  }
});

test('docs/api-coverage.md cites only files in this repository', () => {
  const current = readFileSync(new URL('../../docs/api-coverage.md', import.meta.url), 'utf8');
  const cited = [...current.matchAll(/`([\w./-]+\.(?:ya?ml|ts|md))`/g)].map((m) => m[1] ?? '');
  assert.ok(cited.includes(swaggerFile), `docs/api-coverage.md names ${swaggerFile}`);
  for (const path of cited) assert.ok(existsSync(new URL(`../../${path}`, import.meta.url)), `${path} exists`);
});
