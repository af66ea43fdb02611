import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { adminAuthorization, spawnBerth, tempDir } from '../helpers/berth.js';
import { scaleOutProfile } from '../helpers/scale-out.js';
import { cliPath, profileEnv, runCli } from './cli-run.js';

// One data directory, one server: on the embedded default a second `berth serve` on the same
// data directory refuses to start; with PostgreSQL and Redis replicas share nothing there.

let work: string;
before(() => {
  assert.ok(existsSync(cliPath), `${cliPath} is missing: run npm run build`);
  work = tempDir('berth-e2e-lock-');
});
after(() => rmSync(work, { recursive: true, force: true }));

test(
  'a second berth serve on a data directory in use exits with one line naming it and the holder; after the first stops, a new one starts',
  { skip: scaleOutProfile ? 'PostgreSQL + Redis: replicas may share a data directory (see the next test)' : false },
  async () => {
    const dataDir = join(work, 'shared');
    const env = await profileEnv(dataDir);
    const first = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
    try {
      const holder = JSON.parse(readFileSync(join(dataDir, 'berth.lock'), 'utf8')) as { pid: number };
      assert.equal(holder.pid, first.child.pid);
      const second = await runCli(['serve', '--port', '0', '--data-dir', dataDir], { env });
      assert.notEqual(second.code, 0);
      assert.notEqual(second.code, null, 'the second server stopped by itself');
      const line = second.stderr.trim();
      assert.equal(line.split('\n').length, 1, line);
      assert.ok(line.includes(dataDir), `names the data directory: ${line}`);
      assert.ok(line.includes(`pid ${first.child.pid}`), `names the pid holding it: ${line}`);
      assert.doesNotMatch(second.stdout, /listening/i);
      assert.equal((await fetch(`${first.url}/v2/`, { headers: { authorization: adminAuthorization } })).status, 200);
    } finally {
      assert.equal(await first.stop(), 0);
    }
    assert.ok(!existsSync(join(dataDir, 'berth.lock')), 'a clean stop releases the lock');
    const next = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
    await next.stop();
  },
);

test(
  'the lock a SIGKILLed server leaves behind does not block the next start',
  { skip: scaleOutProfile ? 'PostgreSQL + Redis: no lock is taken' : false },
  async () => {
    const dataDir = join(work, 'killed');
    const env = await profileEnv(dataDir);
    const killed = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
    await killed.kill();
    assert.ok(existsSync(join(dataDir, 'berth.lock')), 'SIGKILL leaves the lock file');
    const next = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
    try {
      assert.equal((await fetch(`${next.url}/v2/`, { headers: { authorization: adminAuthorization } })).status, 200);
    } finally {
      assert.equal(await next.stop(), 0);
    }
  },
);

test(
  'with PostgreSQL and Redis, two servers on one data directory both run (replicas)',
  { skip: scaleOutProfile ? false : 'runs in the scale-out profile (PostgreSQL + Redis + S3)' },
  async () => {
    const dataDir = join(work, 'replicas');
    const env = await profileEnv(dataDir);
    const one = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
    try {
      const two = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
      await two.stop();
      assert.ok(!existsSync(join(dataDir, 'berth.lock')));
    } finally {
      await one.stop();
    }
  },
);
