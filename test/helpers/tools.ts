import { execFileSync, spawnSync } from 'node:child_process';
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
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): string {
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
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}
