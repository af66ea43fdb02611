import type { Command } from 'commander';
import { openDatabase } from '../../db/index.js';
import { configFromFlags, withConfigOptions, type ConfigFlags } from '../options.js';

export function migrateCommand(program: Command): void {
  withConfigOptions(
    program
      .command('migrate')
      .description('apply pending database migrations and exit (Berth also migrates at start, under a lock)'),
  ).action(async (flags: ConfigFlags) => {
    const { database } = configFromFlags(flags);
    const db = openDatabase(database.url, database);
    try {
      await db.migrate();
      process.stdout.write(`berth: the database is at the latest schema (${db.dialect.name})\n`);
    } finally {
      await db.close();
    }
  });
}
