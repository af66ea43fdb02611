import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { JobStoppedError, type Job, type JobContext, type JobParams, type JobQueue } from '../../jobs/index.js';
import { BerthError } from '../../shared/errors.js';
import type { ScanService, StartedScan } from '../scans/service.js';
import { artifactsAfter, countArtifacts, type WalkedArtifact } from './artifacts.js';
import type { ExecutionRow, ExecutionsRepo, ScanAllTrigger } from './executions.js';
import { ongoing } from './metrics.js';
import { stopRunScans } from './run-scans.js';
import { scanAllJobType } from './schedule.js';

// SCAN_ALL on the job service (Harbor's startScanAll): walks every artifact and asks the scan
// service to scan each, as POST …/scan would; the scans run as their own IMAGE_SCAN jobs. The
// run records the reports it started (its metrics) and the last artifact walked, so a retry
// goes on from there. An artifact already being scanned is skipped, one the scanner cannot
// read is counted as failed; neither stops the walk. One run at a time: a scheduled firing
// while another run goes on is skipped.

export interface ScanAllJobParams extends JobParams {
  trigger: ScanAllTrigger;
  /** A manual run's row, made by the API before the job was queued. */
  executionId?: number;
}

export interface ScanAllJobDeps {
  db: Kysely<Database>;
  executions: ExecutionsRepo;
  scans: Pick<ScanService, 'scan'>;
  jobs: () => { queue: Pick<JobQueue, 'get' | 'stop'> };
}

const maxFails = 3;
const pageSize = 50;
const isTransient = (err: unknown) => !(err instanceof BerthError) || err.status >= 500;

export function scanAllJob(deps: ScanAllJobDeps): Job<ScanAllJobParams> {
  return {
    name: scanAllJobType,
    maxFails,
    shouldRetry: isTransient,
    concurrency: 1,
    validate(params) {
      const trigger = params.trigger === 'SCHEDULE' ? 'SCHEDULE' : 'MANUAL';
      const id = params.executionId;
      if (trigger === 'MANUAL' && (typeof id !== 'number' || !Number.isInteger(id)))
        throw new BerthError('BAD_REQUEST', 'a manual scan all names its executionId');
      return trigger === 'MANUAL' ? { trigger, executionId: id as number } : { trigger };
    },
    async run(ctx) {
      const execution = await claimExecution(deps, ctx);
      if (!execution) return;
      await walk(deps, ctx, execution);
    },
  };
}

/** The run's row; undefined when there is nothing to do (a skipped firing, a run already ended). */
async function claimExecution(
  deps: ScanAllJobDeps,
  ctx: JobContext<ScanAllJobParams>,
): Promise<ExecutionRow | undefined> {
  const { executions } = deps;
  const { executionId, trigger } = ctx.params;
  let row = executionId === undefined ? await executions.byJob(ctx.id) : await executions.get(executionId);
  if (!row && trigger === 'SCHEDULE') {
    const latest = await executions.latest();
    if (latest && (await ongoing(executions, deps.jobs().queue, latest))) {
      ctx.log.info(`skipped: scan all ${String(latest.id)} is going on; one run at a time`);
      return undefined;
    }
    row = await executions.forJob(ctx.id, trigger);
  }
  if (!row) {
    ctx.log.warn(`scan all ${String(executionId)} no longer exists: nothing to do`);
    return undefined;
  }
  if (!['Pending', 'Running'].includes(row.status)) {
    ctx.log.info(`scan all ${String(row.id)} is ${row.status}: nothing to do`);
    return undefined;
  }
  return row;
}

async function walk(deps: ScanAllJobDeps, ctx: JobContext<ScanAllJobParams>, execution: ExecutionRow): Promise<void> {
  const { db, executions } = deps;
  const id = execution.id;
  try {
    await executions.setStatus(id, 'Running');
    // Artifacts pushed or deleted during the walk move the total: the bar never runs past it.
    const total = await countArtifacts(db);
    let done = execution.artifacts;
    let after = execution.last_artifact_id;
    ctx.log.info(
      `scan all ${String(id)}: ${String(total)} artifacts${after > 0 ? `, going on after ${String(after)}` : ''}`,
    );
    ctx.progress(done, total);
    for (;;) {
      const page = await artifactsAfter(db, after, pageSize);
      if (page.length === 0) break;
      if (await executions.stopRequested(id)) throw new JobStoppedError();
      for (const artifact of page) {
        if (ctx.signal.aborted) throw new JobStoppedError();
        await executions.walked(id, artifact.id, await scanOne(deps, ctx, artifact));
        after = artifact.id;
        ctx.progress(++done, Math.max(total, done));
      }
    }
    const row = await executions.get(id);
    ctx.log.info(
      `walked ${String(row?.artifacts ?? done)} artifacts: ${String(row?.skipped ?? 0)} already being scanned, ` +
        `${String(row?.failed ?? 0)} not scanned`,
    );
    await executions.finish(id, 'Success');
  } catch (err) {
    await ended(deps, ctx, id, err);
  }
}

async function scanOne(
  deps: ScanAllJobDeps,
  ctx: JobContext<ScanAllJobParams>,
  artifact: WalkedArtifact,
): Promise<{ started: StartedScan[]; skipped: boolean; failed: boolean }> {
  const name = `${artifact.project.name}/${artifact.repositoryName}@${artifact.digest}`;
  try {
    const started = await deps.scans.scan(artifact.project, artifact.repositoryName, artifact.digest, {
      scan_type: 'vulnerability',
    });
    return { started, skipped: false, failed: false };
  } catch (err) {
    if (!(err instanceof BerthError) || err.status >= 500) throw err;
    if (err.code === 'CONFLICT') {
      ctx.log.info(`${name}: skipped, ${err.message}`);
      return { started: [], skipped: true, failed: false };
    }
    // Harbor logs an artifact it cannot scan and goes on (startScanAll).
    ctx.log.warn(`${name}: not scanned, ${err.message}`);
    return { started: [], skipped: false, failed: true };
  }
}

/** A stopped run stops its scans too; a worker shutting down leaves it pending (it runs again). */
async function ended(
  deps: ScanAllJobDeps,
  ctx: JobContext<ScanAllJobParams>,
  id: number,
  err: unknown,
): Promise<never> {
  const { executions } = deps;
  const stopped = err instanceof JobStoppedError || ctx.signal.aborted;
  if (stopped && ctx.signal.reason === 'shutdown') {
    await executions.setStatus(id, 'Pending');
    throw new JobStoppedError();
  }
  if (stopped) {
    const count = await stopRunScans(executions, deps.jobs().queue, id);
    ctx.log.info(`stopped, with ${String(count)} scans not yet done`);
    await executions.finish(id, 'Stopped');
    throw new JobStoppedError();
  }
  const retried = ctx.attempt < maxFails && isTransient(err);
  ctx.log.error(`failed: ${err instanceof Error ? err.message : String(err)}${retried ? ' (retried)' : ''}`);
  if (retried) await executions.setStatus(id, 'Pending');
  else await executions.finish(id, 'Error');
  throw err;
}
