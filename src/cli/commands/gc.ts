import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../../config/index.js';
import type { GcParameters, RunnerDeps, runCollection } from '../../gc/index.js';
import type { GcProgress, GcSummary } from '../../registry/index.js';
import { systemClock } from '../../shared/clock.js';
import { BerthError } from '../../shared/errors.js';
import type { EventActor } from '../../shared/events.js';
import { createLogger } from '../../shared/logger.js';
import { DataDirLockedError, lockDataDir, needsDataDirLock, type DataDirLock } from '../data-dir-lock.js';
import { configFromFlags, withConfigOptions, type ConfigFlags } from '../options.js';
import { progressBar, type ProgressBar } from '../progress.js';

// `berth gc`: garbage collection against the configured database and blob store, for
// operators and for cron outside Kubernetes. It takes the same lease as the job service's
// runs (one run at a time in the deployment) and records itself in the history (MANUAL).

interface GcFlags extends ConfigFlags {
  dryRun?: boolean;
  deleteUntagged?: boolean;
  timeWindow: number;
  workers: number;
}

function parseHours(value: string): number {
  const hours = Number(value);
  if (value.trim() === '' || !Number.isFinite(hours) || hours < 0)
    throw new InvalidArgumentError('must be hours, 0 or more');
  return hours;
}

function parseWorkers(value: string): number {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1 || workers > 5) throw new InvalidArgumentError('must be 1 to 5');
  return workers;
}

export function gcCommand(program: Command): void {
  withConfigOptions(
    program
      .command('gc')
      .description('delete the blobs no artifact references (garbage collection), one run at a time')
      .option('--dry-run', 'delete nothing: log what would be deleted')
      .option('--delete-untagged', 'also delete untagged artifacts (not index members nor subjects of accessories)')
      .option('--time-window <hours>', 'keep what was uploaded or referenced within these hours', parseHours, 2)
      .option('--workers <n>', 'deletions in flight at once (1-5)', parseWorkers, 1),
  ).action(async (flags: GcFlags) => {
    const config = configFromFlags(flags);
    const { id, summary } = await collectGarbage(config, {
      delete_untagged: flags.deleteUntagged === true,
      dry_run: flags.dryRun === true,
      time_window: flags.timeWindow,
      workers: flags.workers,
    });
    const verb = summary.dryRun ? 'would be freed' : 'freed';
    process.stdout.write(
      `${String(summary.blobs)} blobs, ${String(summary.manifests)} manifests, ` +
        `${(summary.freedBytes / 1024 / 1024).toFixed(1)} MiB ${verb}\n` +
        `garbage collection run ${String(id)}; its log: GET /api/v2.0/system/gc/${String(id)}/log\n`,
    );
  });
}

/** The data directory's lock where a server keeps in-process caches of the store (the embedded default). */
function lockIfEmbedded(config: Config): DataDirLock | undefined {
  if (!needsDataDirLock(config)) return undefined;
  try {
    return lockDataDir(config.dataDir);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    // Its caches would not hear of the deletions: the server runs garbage collection itself.
    throw new BerthError(
      'CONFLICT',
      `a Berth server is running on dataDir ${config.dataDir}: run garbage collection from it ` +
        `(the portal's Clean Up page, or POST /api/v2.0/system/gc/schedule with {"schedule":{"type":"Manual"}})`,
    );
  }
}

export async function collectGarbage(
  config: Config,
  parameters: GcParameters,
): Promise<{ id: number; summary: GcSummary }> {
  const lock = lockIfEmbedded(config);
  // Loaded once the configuration is valid (the registry and the stores are most of the start-up time).
  const [{ openDatabase }, { sharedState }, { createBlobStore }, gc, { createRegistry }, events, audits] =
    await Promise.all([
      import('../../db/index.js'),
      import('../../main.js'),
      import('../../storage/index.js'),
      import('../../gc/index.js'),
      import('../../registry/index.js'),
      import('../../shared/events.js'),
      import('../../audit/index.js'),
    ]);
  const logger = createLogger('warn');
  const db = openDatabase(config.database.url, config.database);
  const store = await createBlobStore(config.storage);
  const shared = await sharedState(config, logger);
  // Untagged artifacts deleted here are in the audit log as when a server's run deletes them.
  const audit = audits.createAuditLog({ db: db.kysely, clock: systemClock, logger });
  const bus = events.createEventBus({ onError: (err) => logger.error({ err }, 'event handler failed') });
  const projectIdOf = async (name: string) =>
    (await db.kysely.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst())?.id;
  for (const sub of audits.auditFeature(audit, { projectIdOf }).subscribers ?? []) bus.add(sub);
  try {
    await db.migrate();
    const registry = createRegistry({
      db: db.kysely,
      store,
      locks: shared.locks,
      invalidation: shared.bus,
      events: bus,
      clock: systemClock,
      logger,
      maxManifestBytes: config.registry.maxManifestBytes,
      cacheBytes: 0,
    });
    const runs = gc.createRunsRepo(db.kysely, systemClock);
    const lease = gc.createLease(db.kysely, systemClock);
    const holder = await lease.current();
    if (holder) throw busy(gc.runOfHolder(holder.holder) ?? holder.holder, holder.expiresAt);
    const id = await runs.create('MANUAL', parameters, 'Pending');
    if (!(await lease.claim(gc.holderOf(id)))) {
      await runs.finish(id, 'Error');
      const other = await lease.current();
      throw busy(other ? (gc.runOfHolder(other.holder) ?? other.holder) : 'another run', other?.expiresAt);
    }
    const summary = await runWithProgress(
      id,
      parameters,
      { collector: registry.collector, runs, lease },
      gc.runCollection,
      gc.gcActor,
    );
    return { id, summary };
  } finally {
    // The audit subscriber runs after the event's microtask: let it queue, then flush.
    await new Promise((resolve) => setImmediate(resolve));
    await audit.close();
    await shared.close();
    await store.close?.();
    await db.close();
    lock?.release();
  }
}

function busy(run: number | string, until: string | undefined): BerthError {
  return new BerthError(
    'CONFLICT',
    `garbage collection ${typeof run === 'number' ? `run ${String(run)}` : run} is going on` +
      `${until ? ` (its lease runs until ${until})` : ''}: one run at a time; try again when it has finished`,
  );
}

/** Runs under the lease with a progress bar on stderr; Ctrl-C or SIGTERM stops it (recorded Stopped). */
async function runWithProgress(
  id: number,
  parameters: GcParameters,
  deps: RunnerDeps,
  run: typeof runCollection,
  by: EventActor,
): Promise<GcSummary> {
  const controller = new AbortController();
  const stop = () => controller.abort('stop');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let bar: ProgressBar | undefined;
  const progress = (p: GcProgress) => {
    bar ??= progressBar(parameters.dry_run ? 'blobs (dry run)' : 'blobs', p.blobsTotal);
    bar.update(p.blobsMarked);
  };
  try {
    const summary = await run(deps, {
      runId: id,
      parameters,
      signal: controller.signal,
      logInRow: true,
      log: () => undefined,
      progress,
      by,
    });
    bar?.finish();
    await deps.runs.finish(id, 'Success');
    return summary;
  } catch (err) {
    bar?.finish();
    const stopped = err === 'stop';
    await deps.runs.finish(id, stopped ? 'Stopped' : 'Error');
    if (stopped) throw new BerthError('CONFLICT', `garbage collection run ${String(id)} was stopped`);
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
