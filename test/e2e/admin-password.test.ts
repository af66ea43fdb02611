import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawnBerth, tempDir, testAdminPassword } from '../helpers/berth.js';
import { cliPath, profileEnv, runCli } from './cli-run.js';

// The admin password as operators meet it: the generated one is printed only by a start that
// listens (and again on each start until used), a stale BERTH_ADMIN_PASSWORD is called out, and
// `berth admin reset-password` gets a locked-out operator back in while the server runs.

let work: string;
before(() => {
  assert.ok(existsSync(cliPath), `${cliPath} is missing: run npm run build`);
  work = tempDir('berth-e2e-admin-');
});
after(() => rmSync(work, { recursive: true, force: true }));

const generatedLine = /the generated password of 'admin' is (\S+) /;

/** GET /api/v2.0/users/current with Basic credentials; the status. */
async function currentUser(url: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/v2.0/users/current`, {
    headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
  });
  await res.arrayBuffer();
  return res.status;
}

/** A password change reaches a running server within its principal cache's lifetime (seconds). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(what);
}

test('a first start that fails (port taken) prints no password; the next start that listens does, and so does the one after', async () => {
  const dataDir = join(work, 'first-start');
  const env = { ...(await profileEnv(dataDir)), BERTH_ADMIN_PASSWORD: undefined };
  const blocker = createServer();
  blocker.listen(0, '0.0.0.0');
  await once(blocker, 'listening');
  const address = blocker.address();
  assert.ok(address && typeof address === 'object');
  try {
    const failed = await runCli(['serve', '--port', String(address.port), '--data-dir', dataDir], { env });
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /EADDRINUSE/);
    assert.doesNotMatch(failed.stdout + failed.stderr, /"password"|generated the password of 'admin' is/);
  } finally {
    blocker.close();
  }
  let password: string | undefined;
  for (let round = 0; round < 2; round++) {
    const berth = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
    try {
      const match = generatedLine.exec(berth.output());
      assert.ok(match, `start ${round + 1} prints the generated password:\n${berth.output()}`);
      if (password !== undefined) assert.equal(match[1], password, 'the same password each time');
      password = match[1]!;
      assert.equal(await currentUser(berth.url, password), 200);
    } finally {
      assert.equal(await berth.stop(), 0);
    }
  }
});

test('BERTH_ADMIN_PASSWORD set when admin already exists is ignored, and the log says so', async () => {
  const dataDir = join(work, 'ignored');
  const env = await profileEnv(dataDir);
  const first = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
  assert.doesNotMatch(first.output(), /is ignored/);
  await first.stop();
  const second = await spawnBerth(['--port', '0', '--data-dir', dataDir], {
    ...env,
    BERTH_ADMIN_PASSWORD: 'Another12345',
  });
  try {
    assert.match(
      second.output(),
      /adminPassword \(BERTH_ADMIN_PASSWORD\) is ignored: 'admin' already exists.*berth admin reset-password/,
    );
    assert.equal(await currentUser(second.url, testAdminPassword), 200);
    assert.equal(await currentUser(second.url, 'Another12345'), 401);
  } finally {
    await second.stop();
  }
});

test('berth admin reset-password (generated, then from stdin) changes the password of a running Berth', async () => {
  const dataDir = join(work, 'reset');
  const env = await profileEnv(dataDir);
  const berth = await spawnBerth(['--port', '0', '--data-dir', dataDir], env);
  try {
    assert.equal(await currentUser(berth.url, testAdminPassword), 200);
    const reset = await runCli(['admin', 'reset-password', '--data-dir', dataDir], { env });
    assert.equal(reset.code, 0, reset.stderr);
    const generated = /the new password of 'admin' is: (\S+)/.exec(reset.stdout)?.[1];
    assert.ok(generated, reset.stdout);
    await eventually(async () => (await currentUser(berth.url, generated)) === 200, 'the new password logs in');
    assert.equal(await currentUser(berth.url, testAdminPassword), 401, 'the old password no longer does');

    const weak = await runCli(['admin', 'reset-password', '--password-stdin', '--data-dir', dataDir], {
      env,
      input: 'short\n',
    });
    assert.notEqual(weak.code, 0);
    assert.equal(weak.stderr.trim().split('\n').length, 1, weak.stderr);
    assert.match(weak.stderr, /^berth: the new password: /);

    const chosen = await runCli(['admin', 'reset-password', '--password-stdin', '--data-dir', dataDir], {
      env,
      input: 'Chosen-Passw0rd\n',
    });
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.doesNotMatch(chosen.stdout, /Chosen-Passw0rd/, 'a password from stdin is not echoed');
    await eventually(async () => (await currentUser(berth.url, 'Chosen-Passw0rd')) === 200, 'the chosen password');
  } finally {
    await berth.stop();
  }
});
