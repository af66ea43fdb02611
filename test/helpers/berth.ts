import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadConfig, type LoadOptions } from '../../src/config/index.js';
import { startBerth, type Berth } from '../../src/main.js';
import { dropPostgresDatabase, testDatabaseFor, testPool } from './database.js';
import { scaleOutEnv, scaleOutOverrides, scaleOutParts } from './scale-out.js';

// Boots a real Berth on an ephemeral port for a test: in-process (fast, for HTTP
// tests) or as a child process running the built CLI (for crash and CLI tests).

export interface TestBerth {
  berth: Berth;
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>, the registry host for clients such as skopeo. */
  host: string;
  dataDir: string;
  close(): Promise<void>;
}

/** The password of `admin` in every test Berth (a test may override it). */
export const testAdminPassword = 'Harbor12345';
export const adminCredentials = `admin:${testAdminPassword}`;
export const adminAuthorization = `Basic ${Buffer.from(adminCredentials).toString('base64')}`;

export function tempDir(prefix = 'berth-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts Berth in this process with a fresh data directory; `overrides` are config keys. */
export async function startTestBerth(
  overrides: Record<string, unknown> = {},
  options: Omit<LoadOptions, 'overrides'> = {},
): Promise<TestBerth> {
  const dataDir = (overrides.dataDir as string | undefined) ?? tempDir();
  const chosenDatabase = (overrides.database as { url?: string } | undefined)?.url ?? options.env?.BERTH_DATABASE_URL;
  const database = chosenDatabase ? undefined : await testDatabaseFor(dataDir);
  // The scale-out profile fills in Redis and S3 where the test chose neither.
  const parts = overrides.redis || overrides.storage ? undefined : await scaleOutParts(dataDir);
  const config = loadConfig({
    env: {},
    ...options,
    overrides: {
      logLevel: 'silent',
      adminPassword: testAdminPassword,
      // The token realm must name the bound port; Berth fills in :0 once it listens.
      externalURL: `${(overrides.tls as { certificate?: string } | undefined)?.certificate ? 'https' : 'http'}://127.0.0.1:0`,
      ...(database && { database: { ...testPool, url: database.url } }),
      ...(parts && scaleOutOverrides(parts)),
      ...overrides,
      dataDir,
      http: { port: 0, host: '127.0.0.1', ...(overrides.http as object | undefined) },
    },
  });
  const berth = await startBerth(config);
  const address = await berth.listen();
  const port = new URL(address).port;
  const scheme = config.tls.certificate ? 'https' : 'http';
  return {
    berth,
    url: `${scheme}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    dataDir,
    async close() {
      await berth.close();
      // A data directory the test chose may be reopened: its database stays until the test process ends.
      if (!overrides.dataDir) {
        rmSync(dataDir, { recursive: true, force: true });
        if (database) await dropPostgresDatabase(database.name);
        await parts?.cleanup();
      }
    },
  };
}

export interface BerthProcess {
  child: ChildProcess;
  url: string;
  host: string;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: the crash case. */
  kill(): Promise<void>;
}

const cliPath = new URL('../../dist/cli/index.js', import.meta.url).pathname;

/** Runs `berth serve` (the built CLI) as a child process and waits until it listens. */
/** `executable`: run the CLI file itself (its `#!/usr/bin/env -S node …` line), as the image's `berth` does, instead of `node <cli>`. */
export async function spawnBerth(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { executable?: boolean } = {},
): Promise<BerthProcess> {
  const dataDir = args[args.indexOf('--data-dir') + 1];
  const database =
    args.includes('--data-dir') && !env.BERTH_DATABASE_URL && dataDir ? await testDatabaseFor(dataDir) : undefined;
  if (database)
    env = {
      BERTH_DATABASE_URL: database.url,
      BERTH_DATABASE_MAX_OPEN_CONNS: String(testPool.maxOpenConns),
      BERTH_DATABASE_MAX_IDLE_CONNS: String(testPool.maxIdleConns),
      ...env,
    };
  const parts =
    dataDir && args.includes('--data-dir') && !env.BERTH_REDIS_URL && !env.BERTH_STORAGE_TYPE
      ? await scaleOutParts(dataDir)
      : undefined;
  if (parts) env = { ...scaleOutEnv(parts), ...env };
  const [command, ...commandArgs] = options.executable
    ? [cliPath, 'serve', ...args]
    : [process.execPath, cliPath, 'serve', ...args];
  const child = spawn(command!, commandArgs, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BERTH_LOG_LEVEL: 'info',
      BERTH_ADMIN_PASSWORD: testAdminPassword,
      BERTH_EXTERNAL_URL: 'http://127.0.0.1:0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Do not leak a server that never announced itself.
      child.kill('SIGKILL');
      reject(new Error(`berth did not start in 15 s:\n${output}`));
    }, 15_000);
    const onData = () => {
      const match = /Berth is listening on (\S+)"/.exec(output) ?? /"url":"(https?:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`berth exited with ${code} before listening:\n${output}`));
    });
  });
  const port = new URL(url).port;
  return {
    child,
    url: url.replace('0.0.0.0', '127.0.0.1'),
    host: `127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
