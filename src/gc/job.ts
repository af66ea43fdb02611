import { setTimeout as sleep } from 'node:timers/promises';
import { JobStoppedError, type Job, type JobContext, type JobParams } from '../jobs/index.js';
import type { Collector } from '../registry/index.js';
import { BerthError } from '../shared/errors.js';
import { holderOf, runOfHolder, type Lease } from './lease.js';
import { gcJobType, parseParameters, type GcParameters, type GcTrigger } from './params.js';
import { runCollection, gcActor } from './runner.js';
import type { RunsRepo } from './runs.js';

// GARBAGE_COLLECTION on the job service. A run's history row is keyed by its execution id,
// so retries reuse it: a manual run's is made when it is enqueued, a scheduled run's when
// it starts. One run at a time: a scheduled firing while another
// run holds the lease is skipped; a manual run waits for the lease.

export interface GcJobParams extends GcParameters, JobParams {
  trigger: GcTrigger;
}

export interface GcJobDeps {
  collector: Collector;
  runs: RunsRepo;
  lease: Lease;
  /** How often a manual run waiting for the lease tries again. */
  leasePollMs?: number;
}

const gcJobMaxFails = 3;

/** Bad parameters are never retried; failures of the database or the store are. */
export function isTransient(err: unknown): boolean {
  return !(err instanceof BerthError) || err.status >= 500;
}

export function gcJob(deps: GcJobDeps): Job<GcJobParams> {
  return {
    name: gcJobType,
    maxFails: gcJobMaxFails,
    concurrency: 1,
    shouldRetry: isTransient,
    validate(params) {
      return { ...parseParameters(params), trigger: params.trigger === 'SCHEDULE' ? 'SCHEDULE' : 'MANUAL' };
    },
    async run(ctx) {
      const runId = await claimRun(deps, ctx);
      if (runId === undefined) return;
      await collect(deps, ctx, runId);
    },
  };
}

function parametersOf(params: GcJobParams): GcParameters {
  const { delete_untagged, dry_run, time_window, workers } = params;
  return { delete_untagged, dry_run, time_window, workers };
}

/** The run's history row, holding the lease; undefined when a scheduled firing is skipped. */
async function claimRun(deps: GcJobDeps, ctx: JobContext<GcJobParams>): Promise<number | undefined> {
  const { runs, lease } = deps;
  const { params } = ctx;
  const existing = await runs.findByExecution(ctx.id);
  if (!existing && params.trigger === 'SCHEDULE') {
    const holder = await lease.current();
    if (holder) {
      const other = runOfHolder(holder.holder);
      ctx.log.info(
        `skipped: garbage collection ${other === undefined ? holder.holder : `run ${String(other)}`} is going on ` +
          `(its lease runs until ${holder.expiresAt}); one run at a time`,
      );
      return undefined;
    }
  }
  const runId = existing?.id ?? (await runs.forExecution(ctx.id, params.trigger, parametersOf(params)));
  let waiting = false;
  while (!(await lease.claim(holderOf(runId)))) {
    if (!waiting) ctx.log.info('waiting for the garbage collection that is going on to end');
    waiting = true;
    if (await runs.stopRequested(runId)) await stopped(runs, runId);
    await sleep(deps.leasePollMs ?? 2000, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (ctx.signal.aborted) await ended(runs, runId, ctx.signal.reason);
  }
  return runId;
}

async function collect(deps: GcJobDeps, ctx: JobContext<GcJobParams>, runId: number): Promise<void> {
  const { runs } = deps;
  try {
    await runCollection(deps, {
      runId,
      parameters: parametersOf(ctx.params),
      signal: ctx.signal,
      logInRow: false,
      log: (line) => ctx.log.info(line),
      progress: (p) => ctx.progress(p.blobsMarked, p.blobsTotal),
      by: gcActor,
    });
    await runs.finish(runId, 'Success');
  } catch (err) {
    if (ctx.signal.aborted) await ended(runs, runId, ctx.signal.reason);
    if (err === 'stop') await stopped(runs, runId);
    const retried = ctx.attempt < gcJobMaxFails && isTransient(err);
    if (retried) await runs.setStatus(runId, 'Pending');
    else await runs.finish(runId, 'Error');
    throw err;
  }
}

async function stopped(runs: RunsRepo, runId: number): Promise<never> {
  await runs.finish(runId, 'Stopped');
  throw new JobStoppedError();
}

/** The job's own signal: stopped through the job service, or its worker shutting down (it runs again). */
async function ended(runs: RunsRepo, runId: number, reason: unknown): Promise<never> {
  if (reason === 'shutdown') {
    await runs.setStatus(runId, 'Pending');
    throw new JobStoppedError();
  }
  return stopped(runs, runId);
}
