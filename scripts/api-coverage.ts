// Writes docs/api-coverage.md from the routes a real Berth serves.
// Run: node --import tsx scripts/api-coverage.ts
import { writeFileSync } from 'node:fs';
import { startApiBerth } from '../test/helpers/api.js';
import { coverageMarkdown } from '../test/helpers/coverage.js';

const server = await startApiBerth();
try {
  const text = coverageMarkdown(server);
  writeFileSync(new URL('../docs/api-coverage.md', import.meta.url), text);
  console.log(text.split('\n')[2]);
} finally {
  await server.close();
}
