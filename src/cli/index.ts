#!/usr/bin/env -S node --initial-old-space-size=64
// The V8 flag on the line above (allowed on node's command line only, not in NODE_OPTIONS): an
// idle process shrinks its heap limits, and a big push then ran a full GC every few MiB
// (1,470-1,540 ms of CPU per 256 MiB push without it, 840-890 ms with it; docs/performance.md).
// `npm start` passes the same flag, and the bench starts Berth with this line's flags.
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config/index.js';
import { DatabaseUrlError, openDatabase } from '../db/index.js';
import { startBerth } from '../main.js';

const program = new Command('berth').description(
  'Berth: a cloud-native registry for container images, Helm charts and OCI artifacts',
);

program
  .command('serve')
  .description('run the registry (and, by role, the API, portal and job service)')
  .option('-c, --config <file>', 'configuration file (berth.yml)')
  .option('-p, --port <port>', 'HTTP port (http.port)', parsePort)
  .option('-d, --data-dir <dir>', 'data directory (dataDir)')
  .option('--role <role>', 'all | core | jobservice (role)')
  .action(async (flags: { config?: string; port?: number; dataDir?: string; role?: string }) => {
    const overrides: Record<string, unknown> = {};
    if (flags.port !== undefined) overrides.http = { port: flags.port };
    if (flags.dataDir !== undefined) overrides.dataDir = flags.dataDir;
    if (flags.role !== undefined) overrides.role = flags.role;
    const berth = await startBerth({ file: flags.config, overrides });
    const url = await berth.listen();
    berth.logger.info(
      { url, dataDir: berth.config.dataDir, storage: berth.config.storage.type },
      `Berth is listening on ${url}`,
    );
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      berth.logger.info({ signal }, 'shutting down; letting in-flight requests finish');
      berth.close().then(
        () => process.exit(0),
        (err: unknown) => {
          berth.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit (Berth also migrates at start, under a lock)')
  .option('-c, --config <file>', 'configuration file (berth.yml)')
  .option('-d, --data-dir <dir>', 'data directory (dataDir)')
  .action(async (flags: { config?: string; dataDir?: string }) => {
    const config = loadConfig({
      file: flags.config,
      overrides: flags.dataDir === undefined ? {} : { dataDir: flags.dataDir },
    });
    const db = openDatabase(config.database.url, config.database);
    try {
      await db.migrate();
      process.stdout.write(`berth: the database is at the latest schema (${db.dialect.name})\n`);
    } finally {
      await db.close();
    }
  });

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DatabaseUrlError) {
    process.stderr.write(`berth: ${err.message}\n`);
    process.exit(2);
  }
  // The machine said no (port taken, directory not writable): its one-line message says why.
  if (isSystemError(err)) {
    process.stderr.write(`berth: ${err.syscall === 'listen' ? 'http.port: ' : ''}${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`berth: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && /^E[A-Z]+$/.test(String((err as NodeJS.ErrnoException).code));
}
