import type { Command } from 'commander';
import { configFromFlags, withConfigOptions, type ConfigFlags } from '../options.js';
import { progressBar, type ProgressBar } from '../progress.js';

// `berth vulndb import <zip|dir|json>` loads OSV advisories (osv.dev's per-ecosystem all.zip,
// a directory of *.json, or one file) into the database the built-in scanner matches against;
// `berth vulndb status` says what it holds. Both read the configuration `berth serve` reads.

export function vulndbCommand(program: Command): void {
  const vulndb = program.command('vulndb').description("the built-in scanner's vulnerability database (OSV)");
  withConfigOptions(
    vulndb
      .command('import')
      .argument('<source>', "an OSV zip (osv.dev's <ecosystem>/all.zip), a directory of *.json, or one .json file")
      .description('import OSV advisories (a newer `modified` replaces a stored advisory; re-imports are idempotent)'),
  ).action(async (source: string, flags: ConfigFlags) => {
    const config = configFromFlags(flags);
    const [{ openDatabase }, { importAdvisories, describeImport }] = await Promise.all([
      import('../../db/index.js'),
      import('../../scanning/index.js'),
    ]);
    const db = openDatabase(config.database.url, config.database);
    let bar: ProgressBar | undefined;
    try {
      await db.migrate();
      const summary = await importAdvisories(db.kysely, source, {
        onProgress: (done, total) => (bar ??= progressBar('advisories', total)).update(done),
      });
      bar?.finish();
      for (const reason of summary.skippedReasons) process.stderr.write(`skipped ${reason}\n`);
      process.stdout.write(`${describeImport(summary)}\n`);
    } finally {
      await db.close();
    }
  });
  withConfigOptions(
    vulndb.command('status').description('print when the database was imported and what it holds'),
  ).action(async (flags: ConfigFlags) => {
    const config = configFromFlags(flags);
    const [{ openDatabase }, { createVulnDb }] = await Promise.all([
      import('../../db/index.js'),
      import('../../scanning/index.js'),
    ]);
    const db = openDatabase(config.database.url, config.database);
    try {
      await db.migrate();
      const status = await createVulnDb(db.kysely).status();
      process.stdout.write(
        status.importedAt === undefined
          ? 'vulnerability database: never imported (berth vulndb import <osv zip>)\n'
          : `vulnerability database: ${status.advisories} advisories, imported ${status.importedAt}, ` +
              `newest modified ${status.updatedAt ?? 'none'}; ecosystems: ${status.ecosystems.join(', ') || 'none'}\n`,
      );
    } finally {
      await db.close();
    }
  });
}
