#!/usr/bin/env node
// Runs the reliability tests (test/reliability/*.rel.ts: fuzzing, crash safety, abuse, load)
// one file at a time against the built CLI, so each part has the machine to itself.
// Usage: npm run test:reliability [-- <part>...]   e.g. -- fuzz crash
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const dir = join('test', 'reliability');
const filters = process.argv.slice(2);

if (!existsSync(join('dist', 'cli', 'index.js'))) {
  console.error(
    'the reliability tests run the built CLI: run `npm run build` (or `npx tsc -p tsconfig.build.json`) first',
  );
  process.exit(1);
}
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.rel.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  // By name: load.rel.ts comes last, so its idle wait ends the run.
  .sort()
  .map((name) => join(dir, name));
if (files.length === 0) {
  console.error('no reliability test matched');
  process.exit(1);
}
console.log(
  `reliability: ${files.join(', ')} on ${process.env.BERTH_TEST_DATABASE === 'postgres' ? 'PostgreSQL' : 'SQLite'}`,
);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
