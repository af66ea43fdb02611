import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { UsageDrift } from '../../registry/index.js';
import { systemClock } from '../../shared/clock.js';
import { configFromFlags, withConfigOptions, type ConfigFlags } from '../options.js';
import { formatBytes, progressBar } from '../progress.js';

// `berth quota verify [--fix]`: recounts every project's storage usage from its artifacts (the
// distinct blobs and manifests they reference) and compares it with the usage quotas enforce.
// Runs beside a live server, with the configuration `berth serve` reads.

/** Projects recounted per step of the progress bar. */
const projectsPerStep = 100;

export function quotaCommand(program: Command): void {
  const quota = program.command('quota').description('project quotas');
  withConfigOptions(
    quota
      .command('verify')
      .description("recount each project's storage usage from its artifacts and report drift (exit code 1 on drift)")
      .option('--fix', 'correct the recorded usage of the projects that drifted'),
  ).action(async (flags: ConfigFlags & { fix?: boolean }) => {
    const config = configFromFlags(flags);
    const { openDatabase } = await import('../../db/index.js');
    const db = openDatabase(config.database.url, config.database);
    try {
      const fix = flags.fix === true;
      const { projects, drift } = await verifyUsage(db.kysely, fix);
      for (const d of drift) process.stdout.write(`${describeDrift(d)}${fix ? ': fixed' : ''}\n`);
      process.stdout.write(
        drift.length === 0
          ? `usage of ${projects} projects verified: no drift\n`
          : `usage of ${projects} projects verified: ${drift.length} drifted${fix ? ', fixed' : ''}\n`,
      );
      if (drift.length > 0 && !fix) process.exitCode = 1;
    } finally {
      await db.close();
    }
  });
}

function describeDrift(d: UsageDrift): string {
  const delta = d.actual - d.recorded;
  return (
    `project ${d.project} (id ${d.projectId}): recorded ${formatBytes(d.recorded)} (${d.recorded} B), ` +
    `actual ${formatBytes(d.actual)} (${d.actual} B), ${delta > 0 ? '+' : ''}${delta} B`
  );
}

/** Recounts the projects a step at a time, drawing the progress bar. */
async function verifyUsage(db: Kysely<Database>, fix: boolean): Promise<{ projects: number; drift: UsageDrift[] }> {
  const storage = await usageStorage(db);
  const ids = (await db.selectFrom('projects').select('id').orderBy('id').execute()).map((p) => p.id);
  const bar = progressBar('projects', ids.length);
  const drift: UsageDrift[] = [];
  for (let i = 0; i < ids.length; i += projectsPerStep) {
    drift.push(...(await storage.verify({ fix, projectIds: ids.slice(i, i + projectsPerStep) })));
    bar.update(Math.min(ids.length, i + projectsPerStep));
  }
  bar.finish();
  return { projects: ids.length, drift };
}

/**
 * The registry's usage accounting over the database. Verification reads only the database: the
 * blob store, locks and events the registry is built with are never touched, so local ones do.
 */
async function usageStorage(db: Kysely<Database>) {
  const [{ createRegistry }, { createFilesystemStore }, { createLocalLocks }, { createEventBus }, { createLogger }] =
    await Promise.all([
      import('../../registry/index.js'),
      import('../../storage/index.js'),
      import('../../shared/locks.js'),
      import('../../shared/events.js'),
      import('../../shared/logger.js'),
    ]);
  const registry = createRegistry({
    db,
    store: createFilesystemStore({ root: '.' }),
    locks: createLocalLocks(),
    events: createEventBus({ onError: () => undefined }),
    clock: systemClock,
    logger: createLogger('silent'),
    maxManifestBytes: 0,
    cacheBytes: 0,
  });
  return registry.storage;
}
