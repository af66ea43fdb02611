import type { Command } from 'commander';
import { systemClock } from '../../shared/clock.js';
import { configFromFlags, withConfigOptions, type ConfigFlags } from '../options.js';

// `berth admin …`: the system administrator's account, from the command line, for when the
// password is lost. Runs beside a live server: SQLite in WAL mode and PostgreSQL both allow it.

export function adminCommand(program: Command): void {
  const admin = program.command('admin').description("manage the 'admin' account");
  withConfigOptions(
    admin
      .command('reset-password')
      .description(
        "set a new password for 'admin' (generated and printed, or read from stdin); ends its portal sessions",
      )
      .option('--password-stdin', 'read the new password from stdin instead of generating one'),
  ).action(async (flags: ConfigFlags & { passwordStdin?: boolean }) => {
    const config = configFromFlags(flags);
    const chosen = flags.passwordStdin ? await readPassword(process.stdin) : undefined;
    // Loaded once the configuration is valid (the user service is most of the CLI's start-up time).
    const [{ openDatabase }, { resetAdminPassword }] = await Promise.all([
      import('../../db/index.js'),
      import('../../iam/index.js'),
    ]);
    const db = openDatabase(config.database.url, config.database);
    try {
      const password = await resetAdminPassword(db.kysely, systemClock, chosen);
      process.stdout.write(
        chosen === undefined
          ? `berth: the new password of 'admin' is: ${password}\n`
          : `berth: the password of 'admin' was changed\n`,
      );
    } finally {
      await db.close();
    }
  });
}

/** All of stdin, without the one trailing newline `echo` or a here-string adds. */
async function readPassword(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
