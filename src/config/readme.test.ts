import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configLeaves } from './load.js';

// Every configuration key is documented in README.md's configuration table. A row may name
// several keys (`a`, `b`) or group them with braces (`storage.s3.{endpoint,region}`).

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The keys named in the first column of the table under "## Configuration". */
function documentedKeys(): Set<string> {
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const keys = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const firstColumn = line.split(' | ')[0] ?? '';
    for (const [, name] of firstColumn.matchAll(/`([^`]+)`/g)) for (const key of expandBraces(name!)) keys.add(key);
  }
  return keys;
}

function expandBraces(name: string): string[] {
  const match = /^(.*)\{([^}]*)\}(.*)$/.exec(name);
  if (!match) return [name];
  const [, head, alternatives, tail] = match;
  return alternatives!.split(',').flatMap((alternative) => expandBraces(`${head}${alternative.trim()}${tail}`));
}

test('expandBraces reads the grouped notation of the table', () => {
  assert.deepEqual(expandBraces('storage.s3.{endpoint,region}'), ['storage.s3.endpoint', 'storage.s3.region']);
  assert.deepEqual(expandBraces('http.port'), ['http.port']);
});

test("every configuration key is in README.md's configuration table", () => {
  const documented = documentedKeys();
  const missing = configLeaves()
    .map((leaf) => leaf.path.join('.'))
    .filter((key) => !documented.has(key));
  assert.deepEqual(missing, [], `keys missing from README.md's configuration table: ${missing.join(', ')}`);
});

test('the table names no key the schema does not have', () => {
  const known = new Set(configLeaves().map((leaf) => leaf.path.join('.')));
  const unknown = [...documentedKeys()].filter((key) => !known.has(key));
  assert.deepEqual(unknown, [], `README.md documents keys that do not exist: ${unknown.join(', ')}`);
});
