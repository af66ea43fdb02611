#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (TypeScript via tsx).
// Usage: npm test [-- <path filter>...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['src', 'test'];
const filters = process.argv.slice(2);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.test.ts') ? [path] : [];
  });
}

// The portal's component tests (vitest, in web/) run first when no filter excludes them.
let webStatus = 0;
if (filters.length === 0 || filters.some((f) => f.startsWith('web'))) {
  webStatus = spawnSync('npm', ['test', '--silent', '-w', 'web'], { stdio: 'inherit' }).status ?? 1;
  if (filters.length > 0 && filters.every((f) => f.startsWith('web'))) process.exit(webStatus);
}

const files = roots
  .flatMap((root) => walk(root))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    // A test that hangs fails under its own name after 10 minutes instead of holding the run.
    `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 600_000}`,
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(webStatus || (result.status ?? 1));
