import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needTool, run } from '../../../test/helpers/tools.js';
import { openAdvisorySource, type SourceEntry } from './sources.js';

// Reading advisories from zips and directories: entries one by one, oversized ones refused
// without being read whole, a file that is not a zip a clear BAD_REQUEST.

async function readAll(path: string, limit?: number): Promise<SourceEntry[]> {
  const source = await openAdvisorySource(path, limit);
  const entries: SourceEntry[] = [];
  try {
    for await (const entry of source.entries()) entries.push(entry);
  } finally {
    await source.close();
  }
  return entries;
}

test('a zip: JSON entries read, others ignored, an entry over the limit refused (even highly compressed)', async (t) => {
  if (!needTool(t, 'zip')) return;
  const dir = mkdtempSync(join(tmpdir(), 'berth-osv-src-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'in', 'sub', 'a.json'), '{"id":"A"}');
  writeFileSync(join(dir, 'in', 'notes.txt'), 'not an advisory');
  // 4 MiB of one byte compresses to a few KiB: the declared size is what refuses it.
  writeFileSync(join(dir, 'in', 'bomb.json'), Buffer.alloc(4 * 1024 * 1024, 0x20));
  run('zip', ['-qr', join(dir, 'all.zip'), '.'], { cwd: join(dir, 'in') });
  const entries = await readAll(join(dir, 'all.zip'), 1024 * 1024);
  const byName = new Map(entries.map((e) => [e.name, e]));
  assert.deepEqual(byName.get('sub/a.json'), { name: 'sub/a.json', text: '{"id":"A"}' });
  assert.deepEqual(byName.get('notes.txt'), { name: 'notes.txt' });
  assert.match(byName.get('bomb.json')?.problem ?? '', /larger than the 1 MiB limit/);

  const fromDir = await readAll(join(dir, 'in'), 1024 * 1024);
  assert.deepEqual(
    fromDir.map((e) => [e.name, e.text ?? e.problem]),
    [
      ['bomb.json', 'larger than the 1 MiB limit for an advisory'],
      ['sub/a.json', '{"id":"A"}'],
    ],
  );
});

test('a file that is neither JSON nor a zip is a BAD_REQUEST naming it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-osv-src-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'all.zip'), 'PK\u0003\u0004 this is not really a zip');
  await assert.rejects(readAll(join(dir, 'all.zip')), {
    code: 'BAD_REQUEST',
    message: /all\.zip is not a readable zip/,
  });
});
