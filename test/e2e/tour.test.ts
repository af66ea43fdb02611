import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { tempDir } from '../helpers/berth.js';
import { needHelm } from '../helpers/helm.js';
import { exec, needTool } from '../helpers/tools.js';

// README.md's tour, run as written: the ```sh tour-server block starts Berth with `npm start`
// (on a free port and a fresh data directory instead of 5000 and /tmp/berth), then every
// ```sh tour block runs in order in one bash with `set -e`, as a user would paste them.

const repoRoot = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

interface TourBlock {
  kind: 'tour' | 'tour-server';
  text: string;
}

function tourBlocks(): TourBlock[] {
  return [...readme.matchAll(/^```sh (tour(?:-server)?)\n([\s\S]*?)^```$/gm)].map((m) => ({
    kind: m[1] as TourBlock['kind'],
    text: m[2] ?? '',
  }));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A fresh user's environment: no BERTH_* settings, HOME and containers' image store in `work`. */
function userEnv(work: string, helm: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BERTH_')));
  const home = join(work, 'home');
  const containers = join(home, '.config', 'containers');
  mkdirSync(containers, { recursive: true });
  // The Debian defaults, written here so that a host's own policy or mirrors change nothing.
  writeFileSync(join(containers, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  writeFileSync(join(containers, 'registries.conf'), 'unqualified-search-registries = []\n');
  const storageConf = join(work, 'storage.conf');
  const store = join(work, 'storage');
  writeFileSync(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${store}/root"\nrunroot = "${store}/run"\n`);
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    CONTAINERS_STORAGE_CONF: storageConf,
    PATH: `${dirname(helm)}:${env.PATH ?? ''}`,
  };
}

async function waitForBerth(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${log()}`);
    const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Berth did not answer on port ${port} within 60 s:\n${log()}`);
}

let server: ChildProcess | undefined;
let work: string | undefined;
after(async () => {
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    process.kill(-server.pid, 'SIGTERM');
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test("README's tour runs as written: the image, the chart, the project, the robot and the token flow", async (t) => {
  const blocks = tourBlocks();
  const starts = blocks.filter((b) => b.kind === 'tour-server');
  const steps = blocks.filter((b) => b.kind === 'tour');
  assert.equal(starts.length, 1, 'README.md has one ```sh tour-server block');
  assert.ok(steps.length >= 5, 'README.md marks the tour commands with ```sh tour');
  for (const tool of ['skopeo', 'buildah', 'curl', 'jq', 'bash']) if (!needTool(t, tool)) return;
  const helm = await needHelm(t);
  if (!helm) return;
  assert.ok(existsSync(join(repoRoot, 'dist', 'cli', 'index.js')), 'npm start needs a build (npm run build)');

  work = tempDir('berth-tour-');
  const port = await freePort();
  const dataDir = join(work, 'data');
  const localize = (text: string) =>
    text
      .replaceAll('localhost:5000', `localhost:${port}`)
      .replaceAll('--port 5000', `--port ${port}`)
      .replaceAll('/tmp/berth', dataDir);
  const env = userEnv(work, helm);

  let serverLog = '';
  server = spawn('bash', ['-c', localize(starts[0]?.text ?? '')], { cwd: repoRoot, env, detached: true });
  server.stdout?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  await waitForBerth(port, server, () => serverLog);

  // One shell for the whole tour, as a user's terminal: variables carry from block to block.
  const shell = join(work, 'shell');
  mkdirSync(shell);
  const mark = (i: number) => `echo '@@ block ${i} @@'; echo '@@ block ${i} @@' >&2`;
  const script = ['set -eo pipefail -x', ...steps.map((s, i) => `${mark(i)}\n${localize(s.text)}`)];
  const { stdout, stderr } = await exec('bash', ['-c', script.join('\n')], {
    cwd: shell,
    env,
    timeoutMs: 300_000,
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n--- Berth's log ---\n${serverLog}`, { cause: err });
  });
  const out = stdout.split(/^@@ block \d+ @@$/m).slice(1);
  const err = stderr.split(/^@@ block \d+ @@$/m).slice(1);
  const index = (needle: string) => steps.findIndex((s) => s.text.includes(needle));
  const section = (needle: string) => out[index(needle)] ?? '';

  assert.ok(existsSync(join(shell, 'hello.tar')), 'buildah wrote hello.tar');
  const skopeo = section('library/hello:v1');
  assert.match(skopeo, new RegExp(`"Name": "localhost:${port}/library/hello"`), 'the pushed image can be inspected');
  assert.deepEqual(JSON.parse(skopeo.slice(skopeo.lastIndexOf('{\n'))).Tags, ['v1'], 'the pushed image lists its tag');

  const chart = err[index('helm push')] ?? ''; // helm reports on stderr
  const digests = [...chart.matchAll(/^Digest: (sha256:\w+)$/gm)].map((m) => m[1]);
  assert.match(chart, new RegExp(`^Pushed: localhost:${port}/library/mychart:0.1.0$`, 'm'));
  assert.match(chart, new RegExp(`^Pulled: localhost:${port}/library/mychart:0.1.0$`, 'm'));
  assert.equal(digests.length, 2);
  assert.equal(digests[1], digests[0], 'helm pulls the chart it pushed');

  const robot = section('/robots');
  assert.match(robot, /^robot\$team\+ci$/m, "the robot's name");
  assert.match(robot, new RegExp(`"Name": "localhost:${port}/team/app"`), 'the robot pulls what dev pushed');

  const token = section('/service/token');
  assert.match(token, new RegExp(`Bearer realm="http://localhost:${port}/service/token",service="harbor-registry"`));
  assert.match(JSON.parse(token.slice(token.indexOf('{'))).token as string, /^[\w-]+\.[\w-]+\.[\w-]+$/);
});
