import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { testDatabaseFor, testPool } from '../helpers/database.js';
import { scaleOutEnv, scaleOutParts } from '../helpers/scale-out.js';

// Runs one `berth <command>` of the built CLI to its end, with the database (and, in the
// scale-out profile, Redis and S3) that spawnBerth gives a server on the same data directory.

export const cliPath = join(new URL('../../', import.meta.url).pathname, 'dist', 'cli', 'index.js');

export interface CliExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The BERTH_* variables a child Berth on `dataDir` gets from the test profile. */
export async function profileEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  const database = await testDatabaseFor(dataDir);
  const parts = await scaleOutParts(dataDir);
  return {
    ...(database && {
      BERTH_DATABASE_URL: database.url,
      BERTH_DATABASE_MAX_OPEN_CONNS: String(testPool.maxOpenConns),
      BERTH_DATABASE_MAX_IDLE_CONNS: String(testPool.maxIdleConns),
    }),
    ...(parts && scaleOutEnv(parts)),
  };
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliExit> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cliPath, ...args],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, BERTH_LOG_LEVEL: 'info', ...options.env },
        encoding: 'utf8',
        timeout: options.timeoutMs ?? 30_000,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
