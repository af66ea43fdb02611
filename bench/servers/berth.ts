import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, type ServerProcess } from './process.js';

// Berth as users run it: the built CLI (`berth serve`), embedded default (SQLite and
// the filesystem store in `dataDir`), token auth always on.

// BENCH_BERTH_CLI points at another build (a copy of dist/ inside the checkout, so it
// finds node_modules) to compare two versions on the same machine, minutes apart.
export const berthCli = process.env.BENCH_BERTH_CLI ?? fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
export const benchAdminPassword = 'Bench-Admin-12345';

export async function startBerthServer(dataDir: string, options: { cpuProfileDir?: string } = {}): Promise<ServerProcess> {
  if (!existsSync(berthCli)) throw new Error(`${berthCli} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // BENCH_BERTH_NODE_FLAGS: node/V8 flags for the Berth child, to measure their effect (e.g. --trace-gc).
  const extraFlags = (process.env.BENCH_BERTH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const nodeFlags = [...extraFlags, ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [])];
  return startProcess(
    'berth',
    process.execPath,
    [...nodeFlags, berthCli, 'serve', '--port', String(port), '--data-dir', dataDir],
    { BERTH_ADMIN_PASSWORD: benchAdminPassword, BERTH_EXTERNAL_URL: url, BERTH_LOG_LEVEL: 'warn', BERTH_HTTP_HOST: '127.0.0.1' },
    url,
  );
}
