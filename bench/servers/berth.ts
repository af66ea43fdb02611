import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, type ServerProcess } from './process.js';

// Berth as users run it: the built CLI (`berth serve`), embedded default (SQLite and
// the filesystem store in `dataDir`), token auth always on.

// BENCH_BERTH_CLI points at another build (a copy of dist/ inside the checkout, so it
// finds node_modules) to compare two versions on the same machine, minutes apart.
export const berthCli =
  process.env.BENCH_BERTH_CLI ?? fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
export const benchAdminPassword = 'Bench-Admin-12345';

export async function startBerthServer(
  dataDir: string,
  options: { cpuProfileDir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  if (!existsSync(berthCli)) throw new Error(`${berthCli} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The flags Berth ships with (its CLI's `#!/usr/bin/env -S node …` line), then
  // BENCH_BERTH_NODE_FLAGS: node/V8 flags to measure their effect (e.g. --trace-gc); a later V8 flag wins.
  const extraFlags = (process.env.BENCH_BERTH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const nodeFlags = [
    ...shippedNodeFlags(berthCli),
    ...extraFlags,
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
  ];
  return startProcess(
    'berth',
    process.execPath,
    [...nodeFlags, berthCli, 'serve', '--port', String(port), '--data-dir', dataDir],
    {
      BERTH_ADMIN_PASSWORD: benchAdminPassword,
      BERTH_EXTERNAL_URL: url,
      BERTH_LOG_LEVEL: 'warn',
      BERTH_HTTP_HOST: '127.0.0.1',
      ...options.env,
    },
    url,
  );
}

/** The node flags on a CLI's shebang line (`#!/usr/bin/env -S node --flag …`), which the image's `berth` runs with. */
export function shippedNodeFlags(cli: string): string[] {
  const first = readFileSync(cli, 'utf8').split('\n', 1)[0]!;
  const match = /^#!\/usr\/bin\/env -S node(?<flags>( \S+)*)\s*$/.exec(first);
  return match?.groups?.flags?.split(' ').filter(Boolean) ?? [];
}
