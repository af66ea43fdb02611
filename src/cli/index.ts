#!/usr/bin/env -S node --initial-old-space-size=64
// The V8 flag on the line above (allowed on node's command line only, not in NODE_OPTIONS): an
// idle process shrinks its heap limits, and a big push then ran a full GC every few MiB
// (1,470-1,540 ms of CPU per 256 MiB push without it, 840-890 ms with it; docs/performance.md).
// `npm start` passes the same flag, and the bench starts Berth with this line's flags.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import { BerthError } from '../shared/errors.js';
import { adminCommand } from './commands/admin.js';
import { BackupRefusedError, backupCommand } from './commands/backup.js';
import { gcCommand } from './commands/gc.js';
import { migrateCommand } from './commands/migrate.js';
import { quotaCommand } from './commands/quota.js';
import { scannerCommand } from './commands/scanner.js';
import { serveCommand } from './commands/serve.js';
import { vulndbCommand } from './commands/vulndb.js';
import { DataDirLockedError } from './data-dir-lock.js';

/** package.json sits two levels above this file, in the checkout (src/cli) as in the image (dist/cli). */
const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const program = new Command('berth')
  .description('Berth: a cloud-native registry for container images, Helm charts and OCI artifacts')
  .version(version, '-V, --version', 'print the version');

program
  .command('version')
  .description('print the version')
  .action(() => void process.stdout.write(`${version}\n`));
serveCommand(program);
migrateCommand(program);
adminCommand(program);
backupCommand(program);
gcCommand(program);
quotaCommand(program);
vulndbCommand(program);
scannerCommand(program);

program.parseAsync(process.argv).catch(async (err: unknown) => {
  const { DatabaseUrlError } = await import('../db/index.js');
  if (err instanceof ConfigError || err instanceof DatabaseUrlError) {
    process.stderr.write(`berth: ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof DataDirLockedError || err instanceof BackupRefusedError || err instanceof BerthError) {
    process.stderr.write(`berth: ${err.message}\n`);
    process.exit(1);
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
