import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { adminAuthorization, spawnBerth, tempDir, testAdminPassword } from '../helpers/berth.js';
import { testDatabaseKind } from '../helpers/database.js';

// `berth serve` as operators run it: the built CLI (npm test builds it first), its flags,
// and the one-line refusal to start on a bad configuration value.

const repoRoot = new URL('../../', import.meta.url).pathname;
const cliPath = join(repoRoot, 'dist', 'cli', 'index.js');

/** On the CLI's shebang line and in `npm start`: see src/cli/index.ts. */
const shippedFlag = '--initial-old-space-size=64';

/** The command lines of this machine's processes that name `text` (read from /proc). */
function nodeCommandLines(text: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')];
      } catch {
        return [];
      }
    })
    .filter((line) => line.includes(text));
}

let work: string;
before(() => {
  assert.ok(existsSync(cliPath), `${cliPath} is missing: run npm run build`);
  work = tempDir('berth-e2e-cli-');
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `berth serve …` expecting it to stop by itself; resolves with its exit code and output. */
function serveUntilExit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, 'serve', ...args],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        encoding: 'utf8',
        timeout: 15_000,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

test('berth serve --port 0 --data-dir D serves /v2/ from that data directory and stops cleanly on SIGTERM', async () => {
  const dataDir = join(work, 'serve');
  const berth = await spawnBerth(['--port', '0', '--data-dir', dataDir]);
  try {
    const res = await fetch(`${berth.url}/v2/`, { headers: { authorization: adminAuthorization } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    if (testDatabaseKind === 'sqlite')
      assert.ok(existsSync(join(dataDir, 'berth.db')), 'the SQLite database lives in --data-dir');
    else assert.ok(!existsSync(join(dataDir, 'berth.db')), 'with database.url on PostgreSQL no SQLite file appears');
    assert.match(berth.output(), /Berth is listening on http:\/\//);
  } finally {
    assert.equal(await berth.stop(), 0);
  }
});

test('npm start -- --port P --data-dir D passes its flags through to berth serve', async () => {
  const dataDir = join(work, 'npm-start');
  // detached: npm runs berth through a shell; the whole process group is stopped at the end.
  const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--data-dir', dataDir], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BERTH_LOG_LEVEL: 'info',
      BERTH_ADMIN_PASSWORD: testAdminPassword,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = once(child, 'exit');
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not listen in 20 s:\n${output}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        const match = /Berth is listening on (\S+?)"/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
    assert.notEqual(new URL(url).port, '8080', '--port reached berth serve');
    assert.equal(
      (await fetch(`${url.replace('0.0.0.0', '127.0.0.1')}/v2/`, { headers: { authorization: adminAuthorization } }))
        .status,
      200,
    );
    assert.ok(existsSync(join(dataDir, 'berth.db')), '--data-dir reached berth serve');
    assert.ok(
      nodeCommandLines(dataDir).some((line) => line.includes(shippedFlag)),
      `npm start runs node with ${shippedFlag}`,
    );
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
});

test('the berth executable (as the image runs it) starts node with the V8 flag it ships with', async () => {
  const dataDir = join(work, 'executable');
  const berth = await spawnBerth(['--port', '0', '--data-dir', dataDir], {}, { executable: true });
  try {
    assert.equal((await fetch(`${berth.url}/v2/`, { headers: { authorization: adminAuthorization } })).status, 200);
    const line = readFileSync(`/proc/${berth.child.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(line.includes(shippedFlag), `node was started with ${shippedFlag}: ${line.join(' ')}`);
  } finally {
    await berth.stop();
  }
});

const badStarts: { name: string; key: string; args?: string[]; env?: NodeJS.ProcessEnv; file?: string }[] = [
  { name: 'BERTH_HTTP_PORT=abc', key: 'http.port', env: { BERTH_HTTP_PORT: 'abc' } },
  { name: 'BERTH_STORAGE_TYPE=floppy', key: 'storage.type', env: { BERTH_STORAGE_TYPE: 'floppy' } },
  { name: 'BERTH_LOG_LEVEL=loud', key: 'logLevel', env: { BERTH_LOG_LEVEL: 'loud' } },
  { name: 'http.port: 70000 in berth.yml', key: 'http.port', file: 'http:\n  port: 70000\n' },
  { name: 'a missing --config file', key: '/nonexistent/berth.yml', args: ['--config', '/nonexistent/berth.yml'] },
  { name: '--port abc', key: '--port', args: ['--port', 'abc'] },
  { name: 'BERTH_DATABASE_URL=mysql://…', key: 'database.url', env: { BERTH_DATABASE_URL: 'mysql://db/berth' } },
  {
    name: 'sslmode=prefer',
    key: 'database.url',
    env: { BERTH_DATABASE_URL: 'postgres://berth:pw@127.0.0.1:5432/berth?sslmode=prefer' },
  },
  {
    name: 'no PostgreSQL listening',
    key: 'database.url',
    env: { BERTH_DATABASE_URL: 'postgres://berth:pw@127.0.0.1:1/berth', BERTH_DATABASE_CONNECT_TIMEOUT_SECONDS: '2' },
  },
  {
    name: 'BERTH_DATABASE_MAX_OPEN_CONNS=0',
    key: 'database.maxOpenConns',
    env: { BERTH_DATABASE_MAX_OPEN_CONNS: '0' },
  },
  {
    name: 'tls.key without tls.certificate',
    key: 'tls.certificate',
    env: { BERTH_TLS_KEY: '/nonexistent/server.key' },
  },
  {
    name: 'unreadable TLS files',
    key: 'tls.certificate',
    env: { BERTH_TLS_CERTIFICATE: '/nonexistent/server.crt', BERTH_TLS_KEY: '/nonexistent/server.key' },
  },
];

// Each case is its own short-lived process: run them side by side.
describe('bad configuration', { concurrency: true }, () => {
  for (const [i, bad] of badStarts.entries()) {
    test(`a bad start (${bad.name}) stops with one line naming ${bad.key}, no stack trace`, async () => {
      // --port would win over the file's http.port, so only the file case leaves it out.
      const args = [
        ...(bad.file === undefined ? ['--port', '0'] : []),
        '--data-dir',
        join(work, `bad-${i}`),
        ...(bad.args ?? []),
      ];
      if (bad.file !== undefined) {
        const file = join(work, `berth-${i}.yml`);
        writeFileSync(file, bad.file);
        args.push('--config', file);
      }
      const { code, stdout, stderr } = await serveUntilExit(args, { BERTH_LOG_LEVEL: 'info', ...bad.env });
      assert.notEqual(code, 0);
      assert.notEqual(code, null, `berth stopped by itself: ${stderr}`);
      const message = stderr.trim();
      assert.equal(message.split('\n').length, 1, `one line:\n${message}`);
      assert.ok(message.includes(bad.key), `names ${bad.key}: ${message}`);
      assert.doesNotMatch(message, /\bat .+:\d+:\d+\)?$/m, 'no stack trace');
      assert.doesNotMatch(stdout, /listening/i);
    });
  }
});

test('a port already in use stops the start with one line naming http.port', async () => {
  const blocker = createServer();
  blocker.listen(0, '0.0.0.0');
  await once(blocker, 'listening');
  try {
    const address = blocker.address();
    assert.ok(address && typeof address === 'object');
    const { code, stderr } = await serveUntilExit(['--port', String(address.port), '--data-dir', join(work, 'busy')], {
      BERTH_LOG_LEVEL: 'warn',
    });
    assert.equal(code, 1);
    assert.match(stderr.trim(), /^berth: http\.port: .*EADDRINUSE[^\n]*$/);
  } finally {
    blocker.close();
  }
});

test(
  'berth migrate brings an empty SQLite data directory to the latest schema and exits 0, twice',
  { skip: testDatabaseKind === 'postgres' ? 'runs on the SQLite default' : false },
  async () => {
    const dataDir = join(work, 'migrate');
    for (let round = 0; round < 2; round++) {
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [cliPath, 'migrate', '--data-dir', dataDir],
          { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /latest schema \(sqlite\)/);
    }
    assert.ok(existsSync(join(dataDir, 'berth.db')));
  },
);

test('berth --version and berth version print the version of package.json', async () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const args of [['--version'], ['version']]) {
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) =>
      execFile(process.execPath, [cliPath, ...args], { encoding: 'utf8' }, (err, stdout) =>
        resolve({ code: err ? 1 : 0, stdout }),
      ),
    );
    assert.equal(out.code, 0, args.join(' '));
    assert.equal(out.stdout, `${version}\n`, args.join(' '));
  }
});
