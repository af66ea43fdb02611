import type { Command } from 'commander';
import { configFromFlags, parsePort, withConfigOptions, type ConfigFlags } from '../options.js';

// `berth scanner serve`: the built-in scanner as a scanner adapter (Harbor's pluggable scanner
// API v1.2), for a Harbor or another Berth to register. It matches against the vulnerability
// database of the configuration `berth serve` reads (berth vulndb import fills it) and pulls
// the images it is asked to scan from the registry each scan request names.

interface ScannerServeFlags extends ConfigFlags {
  port: number;
  host: string;
  apiKey?: string;
}

export function scannerCommand(program: Command): void {
  const scanner = program.command('scanner').description('the built-in scanner as a pluggable scanner adapter');
  withConfigOptions(
    scanner
      .command('serve')
      .description('serve the pluggable scanner API v1.2 (/api/v1/metadata, /api/v1/scan) for Harbor or another Berth')
      .option('-p, --port <port>', 'HTTP port', parsePort, 8080)
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option(
        '--api-key <key>',
        'require this key (X-ScannerAdapter-API-Key, or Authorization: Bearer); default: $BERTH_SCANNER_API_KEY',
      ),
  ).action(async (flags: ScannerServeFlags) => {
    const config = configFromFlags(flags);
    const apiKey = flags.apiKey ?? process.env.BERTH_SCANNER_API_KEY;
    const [{ openDatabase }, { createVulnDb, startScannerServer }, { berthVersion }] = await Promise.all([
      import('../../db/index.js'),
      import('../../scanning/index.js'),
      import('../../main.js'),
    ]);
    const db = openDatabase(config.database.url, config.database);
    await db.migrate();
    const server = await startScannerServer({
      vulnDb: createVulnDb(db.kysely),
      version: berthVersion,
      host: flags.host,
      port: flags.port,
      ...(apiKey ? { apiKey } : {}),
      log: (message) => process.stderr.write(`${new Date().toISOString()} ${message}\n`),
    });
    process.stdout.write(
      `Berth's scanner is listening on ${server.url} (pluggable scanner API v1.2${apiKey ? ', API key required' : ''})\n`,
    );
    const stop = () => {
      void server
        .close()
        .then(() => db.close())
        .finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
