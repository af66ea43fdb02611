import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDatabaseFor } from '../../../test/helpers/database.js';
import { needTool, run } from '../../../test/helpers/tools.js';

// `berth vulndb import` and `berth vulndb status` end to end, in a child process on a fresh
// data directory (and the test database, on the PostgreSQL profile).

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = join(repo, 'test/fixtures/scanning/osv');

function berth(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repo, 'src/cli/index.ts'), ...args],
      { cwd: repo, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

test('berth vulndb import <zip> then status, on a temporary data directory', { timeout: 120_000 }, async (t) => {
  if (!needTool(t, 'zip')) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-vulndb-cli-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const database = await testDatabaseFor(dataDir);
  const env = database ? { BERTH_DATABASE_URL: database.url } : {};
  const zipPath = join(dataDir, 'all.zip');
  run('zip', ['-qr', zipPath, '.', '-x', 'README.md'], { cwd: fixtures });

  const never = await berth(['vulndb', 'status', '--data-dir', dataDir], env);
  assert.equal(never.code, 0, never.stderr);
  assert.match(never.stdout, /never imported/);

  const imported = await berth(['vulndb', 'import', zipPath, '--data-dir', dataDir], env);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(
    imported.stdout,
    '10 imported, 0 updated, 0 unchanged, 3 skipped, 1 withdrawn; ecosystems: Alpine, Debian, Go, Maven, PyPI, npm\n',
  );
  assert.match(imported.stderr, /advisories \[#+\] 100%/, 'the progress bar');
  assert.match(imported.stderr, /skipped invalid\/truncated\.json: not JSON/);

  const again = await berth(['vulndb', 'import', zipPath, '--data-dir', dataDir], env);
  assert.match(again.stdout, /^0 imported, 0 updated, 10 unchanged, 3 skipped/);

  const status = await berth(['vulndb', 'status', '--data-dir', dataDir], env);
  assert.equal(status.code, 0, status.stderr);
  assert.match(
    status.stdout,
    /^vulnerability database: 9 advisories, imported \d{4}-\d\d-\d\dT[\d:.]+Z, newest modified 2024-08-10T10:19:54\.000Z; ecosystems: Alpine, Debian, Go, Maven, PyPI, npm\n$/,
  );

  const missing = await berth(['vulndb', 'import', join(dataDir, 'nope.zip'), '--data-dir', dataDir], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^berth: cannot read .*nope\.zip/);
});
