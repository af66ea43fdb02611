import type { Command } from 'commander';
import type { Berth } from '../../main.js';
import { lockDataDir, needsDataDirLock, type DataDirLock } from '../data-dir-lock.js';
import { configFromFlags, parsePort, withConfigOptions, type ConfigFlags } from '../options.js';

interface ServeFlags extends ConfigFlags {
  port?: number;
  role?: string;
}

export function serveCommand(program: Command): void {
  withConfigOptions(
    program.command('serve').description('run the registry (and, by role, the API, portal and job service)'),
  )
    .option('-p, --port <port>', 'HTTP port (http.port)', parsePort)
    .option('--role <role>', 'all | core | jobservice (role)')
    .action(async (flags: ServeFlags) => {
      const overrides: Record<string, unknown> = {};
      if (flags.port !== undefined) overrides.http = { port: flags.port };
      if (flags.role !== undefined) overrides.role = flags.role;
      const config = configFromFlags(flags, overrides);
      const lock = needsDataDirLock(config) ? lockDataDir(config.dataDir) : undefined;
      // Loaded once the configuration is valid: a bad value is reported without loading the whole server.
      const { startBerth } = await import('../../main.js');
      const berth = await startBerth(config);
      const url = await berth.listen();
      stopOnSignals(berth, lock);
      // Printed only once the server listens, and on every start until admin changes it or logs in.
      const password = await berth.pendingAdminPassword();
      if (password !== undefined)
        berth.logger.warn(
          { username: 'admin', password },
          `the generated password of 'admin' is ${password} (printed at each start until admin logs in to the portal or changes it; set adminPassword or BERTH_ADMIN_PASSWORD to choose it)`,
        );
      berth.logger.info(
        { url, dataDir: berth.config.dataDir, storage: berth.config.storage.type },
        `Berth is listening on ${url}`,
      );
    });
}

/** SIGTERM/SIGINT: in-flight requests finish, then the data directory's lock is released. */
function stopOnSignals(berth: Berth, lock: DataDirLock | undefined): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    berth.logger.info({ signal }, 'shutting down; letting in-flight requests finish');
    berth.close().then(
      () => {
        lock?.release();
        process.exit(0);
      },
      (err: unknown) => {
        berth.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
