import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startApiBerth } from '../helpers/api.js';
import { coverageMarkdown } from '../helpers/coverage.js';

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
