import { execFile, execFileSync, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

// Real tools (skopeo, buildah, helm, …) are required in CI; by hand, a test whose tool
// is missing skips with a line saying which.

export function hasTool(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Returns true when the tool is present; otherwise skips the test, or fails it under CI=true. */
export function needTool(t: TestContext, command: string, hint = `apt-get install ${command}`): boolean {
  if (hasTool(command)) return true;
  const message = `${command} is not installed (${hint})`;
  if (process.env.CI === 'true') throw new Error(`${message}: required in CI`);
  t.skip(message);
  return false;
}

/** Runs a command, returning stdout; throws with stderr on failure. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): string {
  try {
    return execFileSync(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      input: options.input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`, {
      cause: err,
    });
  }
}

/**
 * Runs a command without blocking the event loop (an in-process Berth must keep serving
 * while skopeo talks to it); resolves with stdout and stderr, rejects with both on failure.
 */
export function exec(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        // err.message already holds the command line and stderr.
        if (err) reject(new ExecError(`${err.message}${stdout}`, stdout, stderr));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** A failed command, with its output kept for assertions on the error message. */
export class ExecError extends Error {
  override name = 'ExecError';
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}
